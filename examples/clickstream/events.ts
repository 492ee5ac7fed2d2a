/**
 * The clickstream's data: page views (JSON, keyed by user), the users table, and a seeded generator
 * of both. About one view in two hundred is malformed on purpose, to exercise the dead-letter topic.
 */
import { SeededRandom } from '../../src/index.js';

/** A page view event. */
export interface PageView {
  readonly userId: string;
  readonly page: string;
  readonly durationMs: number;
}

/** A user, the table side of the join. */
export interface User {
  readonly userId: string;
  readonly name: string;
  readonly region: 'eu' | 'us' | 'apac';
}

/** A view joined with its user's region. */
export interface RegionView extends PageView {
  readonly region: User['region'];
}

/** Accepts only well-formed page views (the source serde's check). */
export function isPageView(v: unknown): v is PageView {
  const o = v as Partial<PageView> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.userId === 'string' &&
    typeof o.page === 'string' &&
    typeof o.durationMs === 'number'
  );
}

/** One record as produced: key and value bytes and a timestamp. */
export interface RawRecord {
  readonly key: string;
  readonly value: Uint8Array;
  readonly timestamp: number;
}

const REGIONS: User['region'][] = ['eu', 'us', 'apac'];
const encoder = new TextEncoder();

/** The users, all at `startMs - 60 s` (before every view). */
export function generateUsers(count: number, startMs: number): RawRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const user: User = { userId: `u${i}`, name: `user ${i}`, region: REGIONS[i % REGIONS.length]! };
    return { key: user.userId, value: encoder.encode(JSON.stringify(user)), timestamp: startMs - 60_000 };
  });
}

/**
 * `count` views, ten per second of event time with up to ±2 s of jitter, and apart, one closing
 * view per page 25 hours after the last: sent once the rest is processed, they move every task's
 * stream time past the last windows' grace so those close too.
 */
export function generateViews(
  seed: number,
  count: number,
  users: number,
  pages: number,
  startMs: number,
): { records: RawRecord[]; closing: RawRecord[]; malformed: number } {
  const random = new SeededRandom(seed);
  const records: RawRecord[] = [];
  let malformed = 0;
  for (let i = 0; i < count; i++) {
    const userId = `u${random.nextInt(0, users - 1)}`;
    const timestamp = startMs + i * 100 + random.nextInt(-2000, 2000);
    if (random.nextInt(0, 199) === 0) {
      malformed++;
      records.push({ key: userId, value: encoder.encode(`{"userId":"${userId}","page":`), timestamp });
      continue;
    }
    const view: PageView = {
      userId,
      page: `/page/${random.nextInt(0, pages - 1)}`,
      durationMs: random.nextInt(100, 60_000),
    };
    records.push({ key: userId, value: encoder.encode(JSON.stringify(view)), timestamp });
  }
  const closingAt = startMs + count * 100 + 25 * 3_600_000;
  const closing: RawRecord[] = [];
  for (let p = 0; p < pages; p++) {
    const view: PageView = { userId: `u${p % users}`, page: `/page/${p}`, durationMs: 1 };
    closing.push({ key: view.userId, value: encoder.encode(JSON.stringify(view)), timestamp: closingAt });
  }
  return { records, closing, malformed };
}
