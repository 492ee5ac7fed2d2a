/**
 * Hosting stream threads in Node worker threads: named re-exports only.
 */
export { type ConnectWorkerOptions, connectWorker, type WorkerConnection } from './connect-worker.js';
export { type StartWorkerOptions, startWorker, type WorkerExit, type WorkerHandle } from './start-worker.js';
export { moduleUrl, type WorkerLaunch, workerLaunch } from './worker-launch.js';
export { type ControlChannel, type HostedWorkerData, isHostedWorkerData } from './worker-protocol.js';
