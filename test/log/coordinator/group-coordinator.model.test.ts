/**
 * Model-based test of the group coordinator: random sequences of consumers starting, stopping
 * (with or without LeaveGroup), crashing, pausing past their session timeout, stalling past the
 * rebalance timeout while heartbeating, changing their
 * subscription, a second instance of a static member taking over, and time passing, all on a
 * simulated network and clock. The consumers follow the client side of the protocol
 * (test-consumer.ts) with the range assignor (eager) or cooperative-sticky.
 *
 * Three variants: the range assignor and cooperative-sticky over a network with delays, and
 * cooperative-sticky over one that also drops and duplicates messages.
 *
 * Checked after every simulation step: no partition is owned by two consumers that are members
 * of the group; a stable group's stored assignments are disjoint; generations never go back; the
 * coordinator never answers anything a correct client cannot handle. Checked when the leader
 * assigns with cooperative-sticky and equal subscriptions: it revokes no more partitions than
 * balance requires. Checked after a quiet spell (and at the end of every run): the group is
 * stable with exactly the live consumers as members, each owning what the coordinator assigned
 * it, every partition owned exactly once, balanced.
 *
 * A failure prints fast-check's seed, path and the commands' replayPath; pass them back
 * (fc.assert's `seed` and `path`, fc.commands' `replayPath`) to replay the shrunk case.
 * MODEL_RUNS sets the number of runs (default 200).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAssignment } from '../../../src/log/client/assignors/consumer-protocol.js';
import {
  partitionKey,
  partitionsOf,
  type TopicPartition,
} from '../../../src/log/client/assignors/partition-assignor.js';
import type { GroupState } from '../../../src/log/coordinator/group-state.js';
import type { NetworkFaults } from '../../../src/runtime/actor/index.js';
import { GROUP, Harness, HOST } from './coordinator-fixtures.js';
import { type LeaderDecision, TestConsumer } from './test-consumer.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const PARTITIONS = new Map([
  ['orders', 6],
  ['payments', 3],
]);
const SUBSCRIPTIONS = [['orders', 'payments'], ['orders']];
const QUIET_MS = 45_000;
const RELIABLE = { minDelayMs: 1, maxDelayMs: 50 };
const LOSSY = { minDelayMs: 1, maxDelayMs: 50, dropRate: 0.02, duplicateRate: 0.02 };
const POOL = 5;

interface World {
  h: Harness;
  network: Partial<NetworkFaults>;
  consumers: TestConsumer[];
  protocol: string;
  problems: string[];
  extraInstances: number;
}

interface Model {
  running: boolean[];
}

type Cmd = fc.AsyncCommand<Model, World>;

/** The group's state and members as the coordinator holds them, if the group exists. */
function coordinatorView(world: World): { state: string; group: GroupState } | undefined {
  const host = world.h.sim.system.get(HOST)?.getSnapshot() as
    | { context: { groups: Map<string, { actorId: string }> } }
    | undefined;
  const actorId = host?.context.groups.get(GROUP)?.actorId;
  if (actorId === undefined) return undefined;
  const snapshot = world.h.sim.system.get(actorId)?.getSnapshot() as
    | { value: string | Record<string, string>; context: { group: GroupState } }
    | undefined;
  if (snapshot === undefined) return undefined;
  const state = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!;
  return { state, group: snapshot.context.group };
}

/** The invariants that hold at every instant. */
function checkAlways(world: World): void {
  const view = coordinatorView(world);
  if (view === undefined) return;
  const owners = new Map<string, string>();
  for (const c of world.consumers) {
    if (!c.alive || !view.group.members.has(c.memberId)) continue;
    for (const tp of c.owned) {
      const key = partitionKey(tp);
      const other = owners.get(key);
      if (other !== undefined) world.problems.push(`${key} owned by members ${other} and ${c.name} at once`);
      owners.set(key, c.name);
    }
  }
  if (view.state === 'stable') {
    const assigned = new Set<string>();
    for (const m of view.group.members.values()) {
      for (const tp of decodeAssignment(m.assignment).partitions) {
        if (assigned.has(partitionKey(tp)))
          world.problems.push(`stable generation assigns ${partitionKey(tp)} twice`);
        assigned.add(partitionKey(tp));
      }
    }
  }
  if (world.problems.length > 0) throw new Error(world.problems.join('\n'));
}

/** Cooperative-sticky with equal subscriptions revokes only what balance requires. */
function checkDecision(world: World, d: LeaderDecision): void {
  if (world.protocol !== 'cooperative-sticky') return;
  const subs = new Set(d.members.map((m) => [...m.topics].sort().join(',')));
  if (subs.size !== 1) return;
  const total = partitionsOf(PARTITIONS, d.members[0]!.topics).length;
  const floor = Math.floor(total / d.members.length);
  const extra = total % d.members.length;
  const owned = d.members.map((m) => m.ownedPartitions.length).sort((a, b) => b - a);
  const fewest = owned.reduce((sum, n, i) => sum + Math.max(0, n - floor - (i < extra ? 1 : 0)), 0);
  let revoked = 0;
  for (const m of d.members) {
    const kept = new Set((d.assignments.get(m.memberId) ?? []).map(partitionKey));
    revoked += m.ownedPartitions.filter((tp) => !kept.has(partitionKey(tp))).length;
  }
  // Owned sets from members of different generations may overlap; the formula assumes they do not.
  const claims = d.members.flatMap((m) => m.ownedPartitions.map(partitionKey));
  if (new Set(claims).size === claims.length && revoked !== fewest) {
    world.problems.push(
      `generation ${d.generationId} revoked ${revoked} partitions where ${fewest} must move`,
    );
  }
}

/** Runs the simulation for `ms`, checking the invariants after every step. */
async function runChecked(world: World, ms: number): Promise<void> {
  const { sim } = world.h;
  const end = sim.clock.nowMs() + ms;
  for (;;) {
    const next = sim.clock.nextTimerMs();
    if (next === undefined || next > end) break;
    await sim.step();
    checkAlways(world);
  }
  await sim.runFor(end - sim.clock.nowMs());
  checkAlways(world);
}

/**
 * After a quiet spell, the group has settled on exactly the live consumers. A lossy network heals
 * for the spell: losing a message can always cost a member its session, so only safety holds
 * while messages are being lost; settling is expected once they are not.
 */
async function checkSettled(world: World): Promise<void> {
  world.h.sim.network.setFaults(RELIABLE);
  await runChecked(world, QUIET_MS);
  world.h.sim.network.setFaults(world.network);
  const live = world.consumers.filter((c) => c.alive);
  const view = coordinatorView(world);
  const where = `consumers ${world.consumers.map((c) => `${c.name}:${c.status}`).join(' ')}`;
  if (live.length === 0) {
    expect(view === undefined || view.state === 'empty', where).toBe(true);
    return;
  }
  expect(view?.state, where).toBe('stable');
  const group = view!.group;
  expect([...group.members.keys()].sort(), where).toEqual(live.map((c) => c.memberId).sort());
  const owners = new Map<string, string>();
  for (const c of live) {
    expect(c.status, c.name).toBe('stable');
    const assigned = decodeAssignment(group.members.get(c.memberId)!.assignment).partitions;
    expect(names(c.owned), c.name).toEqual(names(assigned));
    for (const tp of c.owned) owners.set(partitionKey(tp), c.name);
  }
  const wanted = partitionsOf(
    PARTITIONS,
    live.flatMap((c) => c.topics),
  ).map(partitionKey);
  expect([...owners.keys()].sort()).toEqual(wanted.sort());
  // Balanced topic by topic among the consumers of the topic.
  for (const topic of PARTITIONS.keys()) {
    const counts = live
      .filter((c) => c.topics.includes(topic))
      .map((c) => c.owned.filter((tp) => tp.topic === topic).length);
    if (world.protocol === 'range' && counts.length > 0) {
      expect(Math.max(...counts) - Math.min(...counts), topic).toBeLessThanOrEqual(1);
    }
  }
  if (world.protocol === 'cooperative-sticky' && new Set(live.map((c) => c.topics.join())).size === 1) {
    const totals = live.map((c) => c.owned.length);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(1);
  }
}

function names(list: readonly TopicPartition[]): string[] {
  return list.map(partitionKey).sort();
}

class Start implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => !m.running[this.i];
  async run(m: Model, w: World) {
    m.running[this.i] = true;
    w.consumers[this.i]!.start();
    await runChecked(w, 10);
  }
  toString = () => `start(${this.i})`;
}

class Stop implements Cmd {
  constructor(
    readonly i: number,
    readonly graceful: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.running[this.i]!;
  async run(m: Model, w: World) {
    m.running[this.i] = false;
    if (this.graceful) w.consumers[this.i]!.stop();
    else w.consumers[this.i]!.crash();
    await runChecked(w, 10);
  }
  toString = () => `${this.graceful ? 'stop' : 'crash'}(${this.i})`;
}

class Pause implements Cmd {
  constructor(
    readonly i: number,
    readonly ms: number,
  ) {}
  check = (m: Readonly<Model>) => m.running[this.i]!;
  async run(_m: Model, w: World) {
    w.consumers[this.i]!.pause(this.ms);
    await runChecked(w, 10);
  }
  toString = () => `pause(${this.i}, ${this.ms})`;
}

class Stall implements Cmd {
  constructor(
    readonly i: number,
    readonly ms: number,
  ) {}
  check = (m: Readonly<Model>) => m.running[this.i]!;
  async run(_m: Model, w: World) {
    w.consumers[this.i]!.stall(this.ms);
    await runChecked(w, 10);
  }
  toString = () => `stall(${this.i}, ${this.ms})`;
}

class Subscribe implements Cmd {
  constructor(
    readonly i: number,
    readonly which: number,
  ) {}
  check = (m: Readonly<Model>) => m.running[this.i]!;
  async run(_m: Model, w: World) {
    w.consumers[this.i]!.subscribe(SUBSCRIPTIONS[this.which]!);
    await runChecked(w, 10);
  }
  toString = () => `subscribe(${this.i}, ${SUBSCRIPTIONS[this.which]})`;
}

/** A second process with a static member's instance id: it takes over, the first is fenced. */
class Duplicate implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.running[this.i]! && this.i < 2;
  async run(_m: Model, w: World) {
    const old = w.consumers[this.i]!;
    const twin = new TestConsumer(consumerWorld(w), `client-${this.i}-${++w.extraInstances}`, {
      groupInstanceId: old.groupInstanceId,
      protocol: w.protocol,
      topics: old.topics,
    });
    // Slot i is the twin's from now on; the old instance stays on, at the end, to be fenced.
    w.consumers[this.i] = twin;
    w.consumers.push(old);
    twin.start();
    await runChecked(w, 10);
  }
  toString = () => `duplicate(${this.i})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: Model, w: World) {
    await runChecked(w, this.ms);
  }
  toString = () => `advance(${this.ms})`;
}

class Settle implements Cmd {
  check = () => true;
  async run(_m: Model, w: World) {
    await checkSettled(w);
  }
  toString = () => 'settle';
}

function consumerWorld(w: World) {
  return {
    sim: w.h.sim,
    host: HOST,
    groupId: GROUP,
    partitionsPerTopic: PARTITIONS,
    onDecision: (d: LeaderDecision) => checkDecision(w, d),
    onUnexpected: (c: TestConsumer, what: string) => w.problems.push(`${c.name}: ${what}`),
  };
}

async function newWorld(seed: number, protocol: string, network: Partial<NetworkFaults>): Promise<World> {
  const h = await new Harness({
    seed,
    config: { groupInitialRebalanceDelayMs: 1000 },
    network: RELIABLE,
  }).start();
  h.sim.network.setFaults(network);
  const world: World = { h, network, consumers: [], protocol, problems: [], extraInstances: 0 };
  for (let i = 0; i < POOL; i++) {
    world.consumers.push(
      new TestConsumer(consumerWorld(world), `client-${i}`, {
        // The first two are static members.
        groupInstanceId: i < 2 ? `instance-${i}` : null,
        protocol,
        topics: SUBSCRIPTIONS[0]!,
      }),
    );
  }
  return world;
}

const slot = fc.integer({ min: 0, max: POOL - 1 });
const commands = fc.commands(
  [
    // Starts are listed twice: groups of several members make the interesting rebalances.
    slot.map((i) => new Start(i)),
    slot.map((i) => new Start(i)),
    fc.tuple(slot, fc.boolean()).map(([i, graceful]) => new Stop(i, graceful)),
    fc.tuple(slot, fc.integer({ min: 500, max: 12_000 })).map(([i, ms]) => new Pause(i, ms)),
    fc.tuple(slot, fc.integer({ min: 500, max: 15_000 })).map(([i, ms]) => new Stall(i, ms)),
    fc
      .tuple(slot, fc.integer({ min: 0, max: SUBSCRIPTIONS.length - 1 }))
      .map(([i, w]) => new Subscribe(i, w)),
    fc.integer({ min: 0, max: 1 }).map((i) => new Duplicate(i)),
    fc.integer({ min: 1, max: 8000 }).map((ms) => new Advance(ms)),
    fc.constant(new Settle()),
  ],
  { maxCommands: 60, size: 'large' },
);

const VARIANTS: [string, string, Partial<NetworkFaults>][] = [
  ['range', 'a network with delays', RELIABLE],
  ['cooperative-sticky', 'a network with delays', RELIABLE],
  ['cooperative-sticky', 'a network that drops and duplicates messages', LOSSY],
];

describe('the group coordinator against a model of its members', () => {
  for (const [protocol, what, network] of VARIANTS) {
    it(`keeps partitions exclusive and settles on the live members (${protocol}, ${what})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer(), commands, async (seed, cmds) => {
          const world = await newWorld(seed, protocol, network);
          await fc.asyncModelRun(() => ({ model: { running: Array(POOL).fill(false) }, real: world }), cmds);
          await checkSettled(world);
          expect(world.problems).toEqual([]);
        }),
        { numRuns: Math.ceil(RUNS / VARIANTS.length) },
      );
    });
  }
});
