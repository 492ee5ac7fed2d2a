/**
 * The flagship example as a test, small: page views joined with a users table (stream-table join
 * through a repartition), windowed counts per page and region with grace and emit-final, sessions
 * per user, and a dead-letter topic for malformed events — run end to end on the embedded broker
 * with two worker threads under exactly_once_v2, and every output compared key by key with
 * TopologyTestDriver's run on the same input (nothing lost, nothing duplicated, no open
 * transaction). `npm start` runs the same code on 60 000 views.
 */
import { describe, expect, it } from 'vitest';
import { runClickstream } from '../../examples/clickstream/run.js';

describe('the clickstream example', () => {
  it('produces exactly the reference outputs with two worker threads', async () => {
    const lines: string[] = [];
    const problems = await runClickstream({ views: 4000, log: (line) => lines.push(line) });
    expect(problems, lines.join('\n')).toEqual([]);
    expect(lines.some((l) => l.startsWith('exactly-once verified'))).toBe(true);
  });
});
