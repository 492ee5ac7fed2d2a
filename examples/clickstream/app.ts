/**
 * The clickstream analytics app (millrace's flagship example). Page views are joined with a users
 * table to count views per region; counted per page in one-minute windows with a day of grace,
 * emitted once when each window closes; and grouped into sessions per user (thirty seconds
 * of inactivity ends one). Malformed events go to a dead-letter topic. Each stream thread (a worker)
 * imports this module.
 */
import {
  defineApp,
  keyValue,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  untilWindowCloses,
  WindowedSerdes,
} from '../../src/index.js';
import { isPageView, type RegionView, type User } from './events.js';

/** Topic names. */
export const TOPICS = Object.freeze({
  views: 'page-views',
  users: 'users',
  perRegion: 'views-per-region',
  perPage: 'page-view-counts',
  sessions: 'user-sessions',
  deadLetters: 'page-views-dlq',
});

/** The topology: three outputs from one stream of views. */
export function clickstreamTopology(): Topology {
  const S = Serdes.string();
  const b = new StreamsBuilder();
  const views = b.stream(TOPICS.views, {
    key: S,
    value: Serdes.json({ validate: isPageView, name: 'page-view' }),
  });
  const users = b.table(TOPICS.users, { key: S, value: Serdes.json<User>() }, { as: 'users' });

  views
    .join(users, (view, user): RegionView => ({ ...view, region: user.region }))
    .groupBy((_, v) => v.region, { as: 'by-region', key: S, value: Serdes.json<RegionView>() })
    .count({ as: 'views-per-region' })
    .toStream()
    .to(TOPICS.perRegion, { value: Serdes.int64() });

  views
    .groupBy((_, v) => v.page, { as: 'by-page', key: S })
    // Repartitioned records arrive from every upstream task, each at its own pace; replaying a
    // backlog, one task may run hours of event time ahead of another. The grace covers a day of such
    // disorder, so no view is late and each window is emitted once, complete.
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 24 * 3_600_000))
    .count({ as: 'views-per-page' })
    .suppress(untilWindowCloses())
    .toStream()
    .map((w, n) => keyValue(`${w.key}@${w.window.startMs}`, n))
    .to(TOPICS.perPage, { key: S, value: Serdes.int64() });

  views
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(30_000, 10_000))
    .count({ as: 'user-sessions' })
    .toStream()
    .to(TOPICS.sessions, { key: WindowedSerdes.sessionWindowed(S), value: Serdes.int64() });

  return b.build();
}

export default defineApp({ topology: clickstreamTopology });
