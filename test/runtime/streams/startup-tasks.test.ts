/**
 * Startup tasks: a restarted thread opens the local RocksDB stores of its share of the task
 * directories while it joins its group; a task it is given takes the opened engines (with the
 * changelog offsets they reached), the rest are closed after their offsets were read, and two
 * threads of one instance split the directories between them without overlap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { StartupTasks } from '../../../src/runtime/streams/startup-tasks.js';
import { offsetSumOf } from '../../../src/runtime/streams/task-stores.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import {
  changelogPartitionId,
  changelogTopicName,
} from '../../../src/state-stores/changelog/changelog-topic.js';
import { RocksDbEngine } from '../../../src/state-stores/rocksdb/rocksdb-engine.js';

const S = Serdes.string();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function topology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: S, value: S }).groupByKey().count({ as: 'counts' });
  return b.build();
}

/** A task directory with a `counts` store at changelog offset `offset`. */
async function localState(stateDir: string, task: string, offset: number): Promise<void> {
  const engine = await RocksDbEngine.open({ name: 'counts', dir: join(stateDir, task, 'counts') });
  const id = changelogPartitionId(changelogTopicName('app', 'counts'), Number(task.split('_')[1]));
  engine.write([{ key: Buffer.from('k'), value: Buffer.from('v') }], new Map([[id, offset]]));
  await engine.close();
}

describe('startup tasks', () => {
  it('open the local stores of a thread’s share; taken engines keep their offsets, the rest close', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'millrace-startup-'));
    dirs.push(stateDir);
    for (const [p, offset] of [0, 1, 2, 3].map((p) => [p, 100 + p] as const))
      await localState(stateDir, `0_${p}`, offset);
    const t = topology();
    const shares = [0, 1].map((threadIndex) =>
      StartupTasks.open({ topology: t, stateDir, threadIndex, threadCount: 2 }),
    );
    const found = new Map<string, number>();
    for (const [i, share] of shares.entries()) {
      const taken = await share.take('0_2');
      if (taken !== undefined) found.set(`taken by ${i}`, offsetSumOf('app', 2, taken));
      for (const e of taken?.values() ?? []) await e.close();
      await share.closeRest((id, engines) =>
        found.set(id, offsetSumOf('app', Number(id.split('_')[1]), engines)),
      );
    }
    // Every directory was opened by exactly one of the two threads, with its offset.
    expect(Object.fromEntries(found)).toEqual({
      '0_0': 100,
      '0_1': 101,
      '0_3': 103,
      [[...found.keys()].find((k) => k.startsWith('taken'))!]: 102,
    });
    // Closed: the stores open again (no lock left behind).
    const again = await RocksDbEngine.open({ name: 'counts', dir: join(stateDir, '0_1', 'counts') });
    await again.close();
  });

  it('find nothing in a missing or empty state directory', async () => {
    const startup = StartupTasks.open({
      topology: topology(),
      stateDir: '/nonexistent/millrace',
      threadIndex: 0,
      threadCount: 1,
    });
    expect(await startup.take('0_0')).toBeUndefined();
    await startup.closeRest(() => {
      throw new Error('nothing to close');
    });
  });
});
