/**
 * Checks of where values are stored, from every observation at once (acknowledgements, polls and
 * drains): inconsistent offsets, duplicates, values read that were never sent there, and one
 * producer's sends stored out of order.
 */
import { describeObservation } from './history-describe.js';
import { type HistoryIndex, knownOffset, type Observation } from './history-index.js';
import type { AnomalySink } from './history-report.js';

const list = (observations: Observation[]) => observations.map(describeObservation).join(', ');
const events = (observations: Observation[]) => [...new Set(observations.map((o) => o.event))];

/**
 * One offset of a partition observed with two or more values.
 *
 * @example
 * ```ts
 * checkInconsistentOffsets(indexHistory(history), sink);
 * ```
 */
export function checkInconsistentOffsets(index: HistoryIndex, sink: AnomalySink): void {
  for (const [tp, offsets] of index.byOffset) {
    for (const [offset, observations] of offsets) {
      const byValue = new Map<string, Observation[]>();
      for (const o of observations) byValue.set(o.value, [...(byValue.get(o.value) ?? []), o]);
      if (byValue.size < 2) continue;
      const held = [...byValue].map(([value, os]) => `'${value}' (${list(os)})`);
      sink.add({
        kind: 'inconsistent-offsets',
        message: `${tp} offset ${offset} holds ${byValue.size} values: ${held.join(' and ')}`,
        partitions: [tp],
        events: events(observations),
        values: [...byValue.keys()],
        offsets: [offset],
      });
    }
  }
}

/**
 * One value at two offsets of its partition, for idempotent and transactional producers.
 *
 * @example
 * ```ts
 * checkDuplicates(indexHistory(history), sink, new Set(['legacy-producer']));
 * ```
 */
export function checkDuplicates(
  index: HistoryIndex,
  sink: AnomalySink,
  nonIdempotent: ReadonlySet<string>,
): void {
  for (const [value, offsets] of index.byValue) {
    if (offsets.size < 2) continue;
    const send = index.sends.get(value)!;
    if (send.txn === undefined && nonIdempotent.has(send.producer)) continue;
    const at = [...offsets].map(([offset, os]) => `${offset} (${list(os)})`);
    sink.add({
      kind: 'duplicate',
      message:
        `value '${value}' of producer ${send.producer}${send.txn === undefined ? '' : ` (transaction ${send.txn})`}` +
        ` is at ${send.tp} offsets ${at.join(' and ')}`,
      partitions: [send.tp],
      events: [send.invokeIndex, ...events([...offsets.values()].flat())],
      values: [value],
      offsets: [...offsets.keys()],
    });
  }
}

/**
 * A value read (by a poll or the drain) that no producer sent to that partition, or read before
 * it was sent. One anomaly per value and partition.
 *
 * @example
 * ```ts
 * checkUnexpectedValues(indexHistory(history), sink);
 * ```
 */
export function checkUnexpectedValues(index: HistoryIndex, sink: AnomalySink): void {
  const reported = new Set<string>();
  for (const o of index.observations) {
    if (o.source === 'ack') continue;
    const send = index.sends.get(o.value);
    const why =
      send === undefined
        ? 'which was never sent'
        : send.tp !== o.tp
          ? `which was sent to ${send.tp} (event ${send.invokeIndex})`
          : o.event < send.invokeIndex
            ? `before it was sent (event ${send.invokeIndex})`
            : undefined;
    const key = `${o.tp}\u0000${o.value}`;
    if (why === undefined || reported.has(key)) continue;
    reported.add(key);
    sink.add({
      kind: 'unexpected-value',
      message: `${describeObservation(o)} read '${o.value}' at ${o.tp} offset ${o.offset}, ${why}`,
      partitions: [o.tp],
      events: send === undefined ? [o.event] : [send.invokeIndex, o.event],
      values: [o.value],
      offsets: [o.offset],
    });
  }
}

/**
 * One producer's acknowledged sends to one partition stored in another order than they were
 * sent (idempotence keeps the order, even across retries). Offsets are the acknowledged ones, or
 * where the value was read.
 *
 * @example
 * ```ts
 * checkSendOrder(indexHistory(history), sink, new Set());
 * ```
 */
export function checkSendOrder(
  index: HistoryIndex,
  sink: AnomalySink,
  nonIdempotent: ReadonlySet<string>,
): void {
  const last = new Map<string, { value: string; offset: number; event: number }>();
  // Sends are in invoke order: the map was filled in history order.
  for (const send of index.sends.values()) {
    if (send.outcome !== 'ok' || (send.txn === undefined && nonIdempotent.has(send.producer))) continue;
    const offset = knownOffset(index, send.value);
    if (offset === undefined) continue;
    const key = `${send.producer}\u0000${send.tp}`;
    const before = last.get(key);
    if (before !== undefined && offset < before.offset) {
      sink.add({
        kind: 'non-monotonic-send',
        message:
          `producer ${send.producer} sent '${before.value}' (event ${before.event}) before '${send.value}' ` +
          `(event ${send.invokeIndex}) to ${send.tp}, but they are at offsets ${before.offset} and ${offset}`,
        partitions: [send.tp],
        events: [before.event, send.invokeIndex],
        values: [before.value, send.value],
        offsets: [before.offset, offset],
      });
    }
    last.set(key, { value: send.value, offset, event: send.invokeIndex });
  }
}
