/**
 * `npm start`: the clickstream app end to end on the embedded broker, with two worker threads,
 * verified exactly-once against TopologyTestDriver (see run.ts). VIEWS=… sets the number of page
 * views (default 60 000).
 */
import { runClickstream } from './run.js';

const views = Number(process.env.VIEWS ?? 60_000);
const log = (line: string) => process.stdout.write(`${line}\n`);

runClickstream({ views, log, handleSignals: true }).then(
  (problems) => process.exit(problems.length === 0 ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(
      `clickstream failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
