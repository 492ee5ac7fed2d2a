/**
 * Command-line parsing for the `millrace` command: the usage text, the command word, and the
 * options of each command, validated into typed values. Bad input is a UsageError whose message
 * says what was wrong and what to do; `main` turns it into exit code 2.
 */
import { MillraceError } from '../common/errors.js';

/**
 * The usage text of `millrace --help`.
 *
 * @example
 * ```ts
 * console.log(USAGE);
 * ```
 */
export const USAGE = `usage: millrace <command> [options]

Stream processing for TypeScript in the spirit of Kafka Streams, with an embedded, durable log.

commands:
  eos-demo   copy records exactly once between topics of a 3-broker embedded cluster, killing a
             broker midway, and check the copy (what npm start runs)
  log-demo   write records to a partition log on disk, reopen it and read them back
  help       show this text

  (run, which runs a topology, arrives with the streams runtime)

options of eos-demo:
  --records N         how many numbered records to produce and copy (default 300000)
  --txn-records N     records per transaction of the copier, about (default 1000)
  --no-kill-broker    do not kill and restart a broker midway (--kill-broker, the default, does)
  --data-dir D        the cluster's data directory, new or empty; kept afterwards
                      (default: a temp directory, removed afterwards unless --keep)
  --keep              keep the temp directory

options of log-demo:
  --dir D             partition directory, new or empty; kept afterwards
                      (default: a temp directory, removed afterwards)
  --records N         how many records to write (default 3000000)
  --record-bytes B    size of each record's value, 10 to 1000000 bytes (default 100)

Run 'millrace <command> --help' for a command's options.`;

/**
 * The usage text of `millrace log-demo --help`.
 *
 * @example
 * ```ts
 * console.log(LOG_DEMO_USAGE);
 * ```
 */
export const LOG_DEMO_USAGE = `usage: millrace log-demo [--dir D] [--records N] [--record-bytes B]

Writes N records of B bytes in ~1 MiB batches to one partition log on disk, flushes and closes it,
reopens it (showing what recovery did), reads every record back and checks it, and prints the
throughput of each phase and the log's size on disk.

  --dir D             partition directory, new or empty; kept afterwards
                      (default: a temp directory, removed afterwards)
  --records N         how many records to write, 1 to 1000000000 (default 3000000)
  --record-bytes B    size of each record's value, 10 to 1000000 bytes (default 100)`;

/**
 * Bad command-line input: an unknown command or option, a missing or malformed value.
 *
 * @example
 * ```ts
 * throw new UsageError("unknown command 'frobnicate'");
 * ```
 */
export class UsageError extends MillraceError {
  constructor(message: string) {
    super('USAGE', message, false);
  }
}

/**
 * The options of `millrace log-demo`, validated.
 *
 * @example
 * ```ts
 * const args: LogDemoArgs = parseLogDemoArgs(['--records', '1000']);
 * ```
 */
export interface LogDemoArgs {
  /** The partition directory; undefined for a temp directory removed afterwards. */
  dir: string | undefined;
  records: number;
  recordBytes: number;
  /** `--help` was given: print LOG_DEMO_USAGE and do nothing else. */
  help: boolean;
}

/**
 * Defaults of log-demo's options.
 *
 * @example
 * ```ts
 * LOG_DEMO_DEFAULTS.records; // 3000000
 * ```
 */
export const LOG_DEMO_DEFAULTS = Object.freeze({ records: 3_000_000, recordBytes: 100 });
const MAX_RECORDS = 1_000_000_000;
/** The value holds the record's offset as 10 decimal digits; a batch is at most 1 MiB. */
const MIN_RECORD_BYTES = 10;
const MAX_RECORD_BYTES = 1_000_000;

/**
 * Parses the arguments after `log-demo`. Accepts `--name value` and `--name=value`.
 *
 * @example
 * ```ts
 * parseLogDemoArgs(['--records', '20000', '--dir=/tmp/demo']);
 * // { dir: '/tmp/demo', records: 20000, recordBytes: 100, help: false }
 * ```
 * @throws UsageError for an unknown option, a missing value, or a value that is not an integer in
 * range.
 */
export function parseLogDemoArgs(args: readonly string[]): LogDemoArgs {
  const out: LogDemoArgs = { dir: undefined, ...LOG_DEMO_DEFAULTS, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== '--dir' && name !== '--records' && name !== '--record-bytes') {
      throw new UsageError(
        arg.startsWith('-')
          ? `unknown option '${name}' for log-demo; it takes --dir, --records and --record-bytes`
          : `unexpected argument '${arg}' for log-demo; options take the form --name value`,
      );
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`${name} needs a value, as in ${name} ${name === '--dir' ? '/tmp/demo' : '1000'}`);
    }
    if (name === '--dir') out.dir = value;
    else if (name === '--records') out.records = integerOption(name, value, 1, MAX_RECORDS);
    else out.recordBytes = integerOption(name, value, MIN_RECORD_BYTES, MAX_RECORD_BYTES);
  }
  return out;
}

/**
 * Parses a whole number in [min, max]; `_` may group digits (3_000_000).
 *
 * @example
 * ```ts
 * integerOption('--records', '20_000', 1, 1e9); // 20000
 * ```
 * @throws UsageError naming the option, the value and the accepted range.
 */
export function integerOption(name: string, text: string, min: number, max: number): number {
  const digits = text.replaceAll('_', '');
  const value = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, not '${text}'`,
    );
  }
  return value;
}

/**
 * The usage text of `millrace eos-demo --help`.
 *
 * @example
 * ```ts
 * console.log(EOS_DEMO_USAGE);
 * ```
 */
export const EOS_DEMO_USAGE = `usage: millrace eos-demo [--records N] [--txn-records N] [--no-kill-broker] [--data-dir D] [--keep]

Starts a 3-broker embedded cluster on disk, creates topics input and output (3 partitions,
replication 3, min ISR 2), produces N numbered records to input with the idempotent producer, and
copies them to output exactly once: a read_committed consumer in a group and a transactional
producer commit each batch of records together with the consumed offsets. Midway one broker is
killed and restarted a second later. Then output is read back at read_committed and must equal
input exactly, in order per partition; exit code 1 if it does not.

  --records N         how many numbered records, 1 to 100,000,000 (default 300000)
  --txn-records N     records per transaction, about; 1 to 1,000,000 (default 1000)
  --kill-broker[=on|off]
                      kill a broker midway and restart it a second later (default on)
  --no-kill-broker    the same as --kill-broker=off
  --data-dir D        the cluster's data directory, new or empty; kept afterwards
                      (default: a temp directory, removed afterwards unless --keep)
  --keep              keep the temp directory and print where it is`;

/**
 * The options of `millrace eos-demo`, validated.
 *
 * @example
 * ```ts
 * const args: EosDemoArgs = parseEosDemoArgs(['--records', '20000']);
 * ```
 */
export interface EosDemoArgs {
  /** The cluster's data directory; undefined for a temp directory. */
  dataDir: string | undefined;
  records: number;
  /** About this many records per transaction (the consumer's maxPollRecords). */
  txnRecords: number;
  /** Kill a broker midway through the copy and restart it a second later. */
  killBroker: boolean;
  /** Keep the temp directory instead of removing it. */
  keep: boolean;
  /** `--help` was given: print EOS_DEMO_USAGE and do nothing else. */
  help: boolean;
}

/**
 * Defaults of eos-demo's options.
 *
 * @example
 * ```ts
 * EOS_DEMO_DEFAULTS.records; // 300000
 * ```
 */
export const EOS_DEMO_DEFAULTS = Object.freeze({ records: 300_000, txnRecords: 1000, killBroker: true });
const MAX_EOS_RECORDS = 100_000_000;
const MAX_TXN_RECORDS = 1_000_000;
const SWITCH_VALUES: Readonly<Record<string, boolean>> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
};

/**
 * Parses the arguments after `eos-demo`. Accepts `--name value` and `--name=value`; the switch
 * `--kill-broker` also takes on/off (true/false, yes/no) and has the negation `--no-kill-broker`.
 *
 * @example
 * ```ts
 * parseEosDemoArgs(['--records', '20_000', '--no-kill-broker']);
 * // { dataDir: undefined, records: 20000, txnRecords: 1000, killBroker: false, keep: false, help: false }
 * ```
 * @throws UsageError for an unknown option, a missing value, a value that is not an integer in
 * range, or a switch value other than on/off.
 */
export function parseEosDemoArgs(args: readonly string[]): EosDemoArgs {
  const out: EosDemoArgs = { dataDir: undefined, ...EOS_DEMO_DEFAULTS, keep: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    switch (name) {
      case '--help':
      case '-h':
        out.help = true;
        continue;
      case '--keep':
        if (inline !== undefined) throw new UsageError('--keep takes no value');
        out.keep = true;
        continue;
      case '--no-kill-broker':
        if (inline !== undefined) throw new UsageError('--no-kill-broker takes no value');
        out.killBroker = false;
        continue;
      case '--kill-broker': {
        // A bare switch means on; a following on/off word is its value.
        const next = args[i + 1];
        let text = inline;
        if (text === undefined && next !== undefined && next.toLowerCase() in SWITCH_VALUES) {
          text = next;
          i++;
        }
        if (text === undefined) out.killBroker = true;
        else {
          const value = SWITCH_VALUES[text.toLowerCase()];
          if (value === undefined) throw new UsageError(`--kill-broker takes on or off, not '${text}'`);
          out.killBroker = value;
        }
        continue;
      }
      case '--data-dir':
      case '--records':
      case '--txn-records':
        break;
      default:
        throw new UsageError(
          arg.startsWith('-')
            ? `unknown option '${name}' for eos-demo; it takes --records, --txn-records, --kill-broker, --no-kill-broker, --data-dir and --keep`
            : `unexpected argument '${arg}' for eos-demo; options take the form --name value`,
        );
    }
    let value = inline;
    if (value === undefined) {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(
        `${name} needs a value, as in ${name} ${name === '--data-dir' ? '/tmp/eos-demo' : '1000'}`,
      );
    }
    if (name === '--data-dir') out.dataDir = value;
    else if (name === '--records') out.records = integerOption(name, value, 1, MAX_EOS_RECORDS);
    else out.txnRecords = integerOption(name, value, 1, MAX_TXN_RECORDS);
  }
  return out;
}
