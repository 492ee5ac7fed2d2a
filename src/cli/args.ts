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
  log-demo   write records to a partition log on disk, reopen it and read them back
  help       show this text

  (run, which runs a topology, arrives with the streams runtime)

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
