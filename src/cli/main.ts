/**
 * The `millrace` command. `main` takes the arguments after the program name and returns the exit
 * code: 0 on success, 1 when the command failed, 2 for bad usage. Run as a script
 * (`tsx src/cli/main.ts eos-demo`, which `npm start` does) it calls itself; the installed
 * bin/millrace.js imports the compiled module and calls `main` instead.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  EOS_DEMO_USAGE,
  LOG_DEMO_USAGE,
  parseEosDemoArgs,
  parseLogDemoArgs,
  USAGE,
  UsageError,
} from './args.js';
import { runEosDemo } from './eos-demo.js';
import { runLogDemo } from './log-demo.js';

/**
 * Runs one `millrace` command and returns its exit code. Output goes to the console; errors are
 * printed, never thrown.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['eos-demo', '--records', '20000']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      case 'eos-demo': {
        const args = parseEosDemoArgs(rest);
        if (args.help) {
          console.log(EOS_DEMO_USAGE);
          return 0;
        }
        await runEosDemo(args);
        return 0;
      }
      case 'log-demo': {
        const args = parseLogDemoArgs(rest);
        if (args.help) {
          console.log(LOG_DEMO_USAGE);
          return 0;
        }
        await runLogDemo(args);
        return 0;
      }
      case 'run':
        throw new UsageError("command 'run' is not available yet: it arrives with the streams runtime");
      default:
        throw new UsageError(
          `unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}'; the commands are eos-demo, log-demo and help`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`millrace: ${err.message}`);
      console.error("run 'millrace --help' for usage");
      return 2;
    }
    console.error(`millrace ${command}: failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/**
 * Whether this module is the script Node was started with (not imported by bin/ or a test).
 *
 * @example
 * ```ts
 * if (isMainModule(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export function isMainModule(moduleUrl: string, script: string | undefined = process.argv[1]): boolean {
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
