/**
 * How a worker module is launched. Compiled JavaScript (`npm run build`, the installed bin) starts
 * directly. TypeScript — under vitest, which transforms modules inside its own process, and under
 * `npm start`, which runs tsx — cannot: on Node 20 a worker does not inherit the parent's module
 * hooks (tsx's `--import` in execArgv registers none in the worker), so the worker starts a small
 * bootstrap that loads the module through tsx's `tsImport`, which hooks only that import graph.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../common/errors.js';

/** What to hand to `new Worker(...)`. */
export interface WorkerLaunch {
  /** A file URL, or the bootstrap's source when `eval` is true. */
  readonly entry: URL | string;
  readonly eval: boolean;
}

const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * A file URL for a module given as a path (relative to the working directory) or URL.
 *
 * @example
 * ```ts
 * moduleUrl('./dist/app-worker.js'); // file:///…/dist/app-worker.js
 * ```
 */
export function moduleUrl(module: string | URL): URL {
  if (module instanceof URL) return module;
  return module.startsWith('file:') ? new URL(module) : pathToFileURL(resolve(module));
}

/**
 * How to launch `module` in a worker.
 *
 * @example
 * ```ts
 * const { entry, eval: isEval } = workerLaunch(new URL('./stream-thread.ts', import.meta.url));
 * new Worker(entry, { eval: isEval, workerData });
 * ```
 * @throws ConfigError for a TypeScript module when tsx cannot be found (build to JavaScript first).
 */
export function workerLaunch(module: string | URL): WorkerLaunch {
  const url = moduleUrl(module);
  if (!TYPESCRIPT.test(url.pathname)) return { entry: url, eval: false };
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new ConfigError(
      'module',
      url.href,
      'a JavaScript module, or tsx installed to run a TypeScript one (npm run build compiles to dist/)',
    );
  }
  // Evaluated as a script in the worker; a failed import becomes the worker's 'error' event.
  const source = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}));`;
  return { entry: source, eval: true };
}
