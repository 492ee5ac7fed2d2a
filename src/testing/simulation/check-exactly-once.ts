/**
 * checkExactlyOnce: a property test of a user's topology. For each generated case it runs the
 * application in a SimulatedCluster on the case's input under the case's fault schedule, lets it
 * quiesce, and compares what is left with a fault-free run of the same input: the same
 * read_committed outputs, the same stores, no transaction left open, every consumed partition
 * committed to its end. A failing case is shrunk by fast-check to a minimal schedule and reported
 * with the seed and path that replay it.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Topology } from '../../dsl/topology.js';
import { faultSchedule } from './arbitraries.js';
import { checkQuiescent, compareSnapshots, type OutputOrder } from './compare-snapshots.js';
import { describeFault, faultDurationMs, type ScheduledFault } from './faults.js';
import { renderBytes } from './render.js';
import {
  type ClusterSnapshot,
  type InputRecord,
  SimulatedCluster,
  type SimulatedClusterOptions,
} from './simulated-cluster.js';

/**
 * How to check an application.
 *
 * @example
 * ```ts
 * const options: CheckExactlyOnceOptions = { app: wordCount, inputs: lines, outputOrder: 'key', numRuns: 30 };
 * ```
 */
export interface CheckExactlyOnceOptions {
  /** The application: its topology, or a function building it (called once per run). */
  readonly app: Topology | (() => Topology);
  /** The input: fixed records, or an arbitrary of them. */
  readonly inputs: readonly InputRecord[] | fc.Arbitrary<readonly InputRecord[]>;
  /** Fault schedules. Default `faultSchedule()`: up to 4 faults of the safe kinds within 6 s. */
  readonly faults?: fc.Arbitrary<readonly ScheduledFault[]>;
  /** Cases to run. Default 20. */
  readonly numRuns?: number;
  /** fast-check's seed; with `path`, replays one failing case. Random by default. */
  readonly seed?: number;
  readonly path?: string;
  /** The cluster: brokers, partitions, instances, threads, processing guarantee … */
  readonly cluster?: Omit<SimulatedClusterOptions, 'seed' | 'topology'>;
  /** The input arrives over this many virtual ms, while faults strike. Default 3000. */
  readonly inputSpreadMs?: number;
  /** Default 'partition'. */
  readonly outputOrder?: OutputOrder;
  /** Compare output timestamps. Default false. */
  readonly compareTimestamps?: boolean;
  /** Compare store contents. Default true. */
  readonly compareStores?: boolean;
  /** Also run the first case twice and require the same trace hash. Default true. */
  readonly checkDeterminism?: boolean;
  /** Where to write the failing run's log and actor trace. */
  readonly traceFile?: string;
  /** Shrink a failing case to a minimal one (each step is a whole run). Default true. */
  readonly shrink?: boolean;
  /**
   * Longest virtual time to quiesce in. Default 360 s: a member whose JoinGroup answer was lost
   * (the coordinator answered into a partition) waits the consumer's rebalance timeout + 5 s
   * (305 s, as Kafka's client does) before it asks again.
   */
  readonly quiesceMs?: number;
  /**
   * Checks of your own on every run (the fault-free one too): given the case's input and what the
   * run left, return the invariants it breaks, in words ([] when none). For properties a comparison
   * with the fault-free run cannot state, e.g. "output i of a key is the running sum of that key's
   * inputs 0..i".
   */
  readonly verify?: (records: readonly InputRecord[], snapshot: ClusterSnapshot) => readonly string[];
  /**
   * After the snapshot, shut every instance down cleanly and require the consumer group to be
   * empty (every member left). Default false.
   */
  readonly requireEmptyGroup?: boolean;
  /** Told of every case as it ends. */
  readonly onCase?: (report: CaseReport) => void;
}

/**
 * One case's outcome.
 *
 * @example
 * ```ts
 * onCase: (r) => console.log(r.simulationSeed, r.faults.length, r.problems.length === 0 ? 'ok' : 'FAILED'),
 * ```
 */
export interface CaseReport {
  readonly simulationSeed: number;
  /** The input records of the case. */
  readonly records: readonly InputRecord[];
  readonly inputs: number;
  readonly faults: readonly ScheduledFault[];
  /** Differences and broken invariants, [] when the case passed. */
  readonly problems: readonly string[];
  readonly traceHash: string;
  /** Virtual ms the faulty run took, quiescing included. */
  readonly virtualMs: number;
}

/**
 * What a passing check ran.
 *
 * @example
 * ```ts
 * const { numRuns, seed } = await checkExactlyOnce(options);
 * ```
 */
export interface CheckReport {
  readonly numRuns: number;
  readonly seed: number;
  readonly cases: readonly CaseReport[];
}

/**
 * The error a failing check throws: the minimal failing case, the differences, and how to replay.
 *
 * @example
 * ```ts
 * try { await checkExactlyOnce(options); } catch (e) { if (e instanceof ExactlyOnceViolation) console.log(e.seed, e.path); }
 * ```
 */
export class ExactlyOnceViolation extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly path: string,
    readonly report: CaseReport,
  ) {
    super(message);
    this.name = 'ExactlyOnceViolation';
  }
}

/** How long `requireEmptyGroup` waits for killed members' sessions to expire. */
const EMPTY_GROUP_WAIT_MS = 30_000;

/** What one run of the application leaves. */
interface RunResult {
  readonly snapshot: ClusterSnapshot | undefined;
  readonly problems: string[];
  readonly traceHash: string;
  readonly virtualMs: number;
  readonly trace: () => string;
}

/**
 * Runs the application once, on `inputs` under `faults`, and quiesces it.
 *
 * @example
 * ```ts
 * const run = await runOnce({ app: wordCount() }, 7, inputs, [{ atMs: 500, fault: { kind: 'addInstance' } }]);
 * ```
 */
export async function runOnce(
  options: Pick<
    CheckExactlyOnceOptions,
    'app' | 'cluster' | 'inputSpreadMs' | 'quiesceMs' | 'verify' | 'requireEmptyGroup'
  >,
  seed: number,
  inputs: readonly InputRecord[],
  faults: readonly ScheduledFault[],
): Promise<RunResult> {
  const topology = typeof options.app === 'function' ? options.app() : options.app;
  const cluster = await SimulatedCluster.start({ ...options.cluster, seed, topology });
  try {
    const spread = options.inputSpreadMs ?? 3000;
    cluster.produce(inputs, spread);
    // Run until every fault has run its course (a stall must outlast the session timeout to
    // matter), then a little longer, before quiescing heals what is left.
    const end = faults.reduce((m, f) => Math.max(m, f.atMs + faultDurationMs(f.fault)), spread);
    await cluster.runSchedule(faults, end + 500);
    const problems: string[] = [];
    let snapshot: ClusterSnapshot | undefined;
    try {
      await cluster.quiesce(options.quiesceMs ?? 360_000);
      snapshot = await cluster.snapshot();
      problems.push(...checkQuiescent(snapshot));
      if (options.verify !== undefined) problems.push(...options.verify(inputs, snapshot));
      if (options.requireEmptyGroup === true) {
        await cluster.shutdown();
        // A killed process (a zombie's) leaves only when its session expires (10 s): wait for that,
        // as Kafka's system test waits for the group to empty.
        let group = await cluster.group();
        for (let waited = 0; group.members.length > 0 && waited < EMPTY_GROUP_WAIT_MS; waited += 1000) {
          await cluster.runFor(1000);
          group = await cluster.group();
        }
        if (group.members.length > 0)
          problems.push(
            `the group is not empty after every instance shut down cleanly: ${group.state}, members ${group.members.map((m) => m.clientId).join(', ')}`,
          );
      }
    } catch (error) {
      problems.push(`did not quiesce: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = cluster.traceText();
    return {
      snapshot,
      problems,
      traceHash: cluster.traceHash(),
      virtualMs: cluster.elapsedMs,
      trace: () => text,
    };
  } finally {
    cluster.stop();
  }
}

/** The seed the fault-free reference runs use: they are cached per input. */
const REFERENCE_SEED = 1;

/**
 * Property-tests exactly-once processing of an application under faults; resolves with what ran,
 * or throws an ExactlyOnceViolation for the minimal failing case.
 *
 * @example
 * ```ts
 * await checkExactlyOnce({
 *   app: wordCount,
 *   inputs: inputRecords({ topic: 'lines', key: fc.constant(null), value: fc.constantFrom('a b', 'b c') }),
 *   faults: faultSchedule({ kinds: ['crashInstance', 'addInstance', 'removeInstance'] }),
 *   outputOrder: 'key',
 *   numRuns: 20,
 * });
 * ```
 * @throws ExactlyOnceViolation naming the seed and path that replay the failure, with the
 * differences; what a fault-free run throws (a topology that cannot run at all).
 */
export async function checkExactlyOnce(options: CheckExactlyOnceOptions): Promise<CheckReport> {
  const given = options.inputs;
  const inputs: fc.Arbitrary<readonly InputRecord[]> = isRecordList(given) ? fc.constant(given) : given;
  const faults = options.faults ?? faultSchedule();
  const references = new Map<string, RunResult>();
  const cases: CaseReport[] = [];
  let lastFailure: { report: CaseReport; trace: () => string } | undefined;
  let determinismChecked = options.checkDeterminism === false;

  /** Set when the fault-free run itself fails: there is nothing to compare with, so no shrinking. */
  let referenceFailure: Error | undefined;
  const reference = async (records: readonly InputRecord[]): Promise<RunResult> => {
    const key = JSON.stringify(records, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
    );
    let run = references.get(key);
    if (run === undefined) {
      const failed = (why: string, cause?: unknown) => {
        referenceFailure = new Error(
          `checkExactlyOnce: the fault-free run (simulation seed ${REFERENCE_SEED}) failed, so there is nothing to compare with: ${why}`,
          { cause },
        );
        return referenceFailure;
      };
      try {
        run = await runOnce(options, REFERENCE_SEED, records, []);
      } catch (error) {
        throw failed(error instanceof Error ? error.message : String(error), error);
      }
      if (run.snapshot === undefined || run.problems.length > 0) throw failed(run.problems.join('\n'));
      references.set(key, run);
    }
    return run;
  };

  const property = fc.asyncProperty(
    inputs,
    faults,
    fc.integer({ min: 0, max: 0x7fff_ffff }),
    async (records, schedule, simulationSeed) => {
      const expected = await reference(records);
      const run = await runOnce(options, simulationSeed, records, schedule).catch(
        (error: unknown): RunResult => {
          // A run that cannot even start or be read back is a failing case too, with its seed.
          const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
          return {
            snapshot: undefined,
            problems: [`the run failed: ${message}`],
            traceHash: '',
            virtualMs: 0,
            trace: () => message,
          };
        },
      );
      const problems = [...run.problems];
      if (run.snapshot !== undefined) {
        problems.push(
          ...compareSnapshots(expected.snapshot!, run.snapshot, {
            order: options.outputOrder ?? 'partition',
            timestamps: options.compareTimestamps ?? false,
            stores: options.compareStores ?? true,
          }),
        );
      }
      if (!determinismChecked) {
        determinismChecked = true;
        const again = await runOnce(options, simulationSeed, records, schedule);
        if (again.traceHash !== run.traceHash)
          problems.push(
            `not deterministic: the same case ran twice gave trace hashes ${run.traceHash} and ${again.traceHash} (something under src/ reads real time or randomness)`,
          );
      }
      const report: CaseReport = {
        simulationSeed,
        records,
        inputs: records.length,
        faults: schedule,
        problems,
        traceHash: run.traceHash,
        virtualMs: run.virtualMs,
      };
      cases.push(report);
      options.onCase?.(report);
      if (problems.length > 0) {
        lastFailure = { report, trace: run.trace };
        throw new Error(problems.join('\n'));
      }
    },
  );

  const details = await fc.check(property, {
    numRuns: options.numRuns ?? 20,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
    endOnFailure: options.shrink === false,
  });
  if (!details.failed) return { numRuns: details.numRuns, seed: details.seed, cases };
  if (referenceFailure !== undefined) throw referenceFailure;
  if (lastFailure === undefined) {
    throw new Error(`checkExactlyOnce: the property failed outside a case: ${String(details.errorInstance)}`);
  }
  const { report, trace } = lastFailure;
  const path = details.counterexamplePath ?? '';
  let traceNote = '';
  if (options.traceFile !== undefined) {
    writeFileSync(
      options.traceFile,
      `${describeCase(report)}\n\n${report.problems.join('\n')}\n\n${trace()}\n`,
    );
    traceNote = `\nThe failing run's log and actor trace: ${options.traceFile}`;
  }
  const message = [
    `Exactly-once violated after ${details.numRuns} case(s) (shrunk ${details.numShrinks} time(s)).`,
    describeCase(report),
    '',
    ...report.problems,
    '',
    `Replay this case: checkExactlyOnce({ ...options, seed: ${details.seed}, path: '${path}' })`,
  ].join('\n');
  throw new ExactlyOnceViolation(message + traceNote, details.seed, path, report);
}

function isRecordList(
  inputs: readonly InputRecord[] | fc.Arbitrary<readonly InputRecord[]>,
): inputs is readonly InputRecord[] {
  return Array.isArray(inputs);
}

function describeCase(report: CaseReport): string {
  const faults =
    report.faults.length === 0
      ? '  (none)'
      : report.faults.map((f) => `  at ${f.atMs} ms: ${describeFault(f.fault)}`).join('\n');
  const shown = 10;
  const records = report.records
    .slice(0, shown)
    .map(
      (r) =>
        `  ${r.topic}${r.partition === undefined ? '' : `-${r.partition}`}: ${show(r.key)} → ${show(r.value)}`,
    );
  if (report.records.length > shown) records.push(`  … and ${report.records.length - shown} more`);
  return `Simulation seed ${report.simulationSeed}, trace hash ${report.traceHash}; ${report.inputs} input records:\n${records.join('\n')}\nfaults:\n${faults}`;
}

function show(v: string | Uint8Array | null): string {
  return typeof v === 'string' ? JSON.stringify(v) : renderBytes(v);
}
