/**
 * Checks of what read_committed readers (polls and the drain) may and must see: no aborted or
 * precommitted read, no lost or unseen acknowledged write, no transaction torn in the drain.
 */
import { describeObservation, describeTxn } from './history-describe.js';
import {
  evidentlyCommitted,
  type HistoryIndex,
  mustAppear,
  type Observation,
  type SendRecord,
} from './history-index.js';
import type { AnomalySink } from './history-report.js';

const atReadCommitted = (o: Observation) => o.source === 'drain' || o.isolation === 'read_committed';

/**
 * Reads that a correct log never serves at read_committed: a value of an aborted (or
 * never-committed) transaction — a precommitted read when the poll came before the transaction
 * ended, an aborted read after or in the drain — and a value of a transaction whose commit had
 * not begun. A definitely failed non-transactional send must not be read at any level.
 *
 * @example
 * ```ts
 * checkReadVisibility(indexHistory(history), sink);
 * ```
 */
export function checkReadVisibility(index: HistoryIndex, sink: AnomalySink): void {
  for (const o of index.observations) {
    if (o.source === 'ack') continue;
    const send = index.sends.get(o.value);
    if (send === undefined || send.tp !== o.tp) continue; // unexpected-value
    const where = `${describeObservation(o)}, at ${o.tp} offset ${o.offset}`;
    const base = { partitions: [o.tp], values: [o.value], offsets: [o.offset] };
    if (send.txn === undefined) {
      if (send.outcome === 'fail') {
        sink.add({
          ...base,
          kind: 'aborted-read',
          message: `'${o.value}' read by ${where}, though its send failed (event ${send.completeIndex})`,
          events: [send.completeIndex!, o.event],
        });
      }
      continue;
    }
    if (!atReadCommitted(o)) continue;
    const txn = index.txns.get(send.txn)!;
    const beforeItsEnd = o.source === 'poll' && txn.endIndex !== undefined && o.event < txn.endIndex;
    if (txn.outcome === 'aborted' && !beforeItsEnd) {
      sink.add({
        ...base,
        kind: 'aborted-read',
        message: `'${o.value}' of ${describeTxn(txn)} read by ${where}`,
        events: [send.invokeIndex, ...(txn.endIndex === undefined ? [] : [txn.endIndex]), o.event],
      });
    } else if (txn.outcome === 'aborted' || txn.commitInvoke === undefined || o.event < txn.commitInvoke) {
      sink.add({
        ...base,
        kind: 'precommitted-read',
        message:
          `'${o.value}' of ${describeTxn(txn)} read by ${where}, ` +
          (txn.outcome === 'aborted'
            ? `before the transaction ended (event ${txn.endIndex}) and aborted`
            : `before the transaction's commit began (event ${txn.commitInvoke})`),
        events: [send.invokeIndex, o.event, ...(txn.endIndex === undefined ? [] : [txn.endIndex])],
      });
    }
  }
}

/**
 * Acknowledged sends missing from the reads. Lost write: never read, though a read_committed
 * reader read a later offset of the partition (past its acknowledged offset, or a value sent after
 * it was acknowledged, hence stored after it). Unseen: absent from the partition's drain.
 * Returns how many acknowledged values were never read and cannot be called lost.
 *
 * @example
 * ```ts
 * const unread = checkAcknowledgedWrites(indexHistory(history), sink);
 * ```
 */
export function checkAcknowledgedWrites(index: HistoryIndex, sink: AnomalySink): number {
  const furthest = furthestReads(index);
  let unread = 0;
  for (const send of index.sends.values()) {
    if (!mustAppear(index, send)) continue;
    const reads = [...(index.byValue.get(send.value)?.values() ?? [])]
      .flat()
      .filter((o) => o.source !== 'ack');
    const drain = index.drains.get(send.tp);
    const acked = send.txn === undefined ? send.completeIndex! : index.txns.get(send.txn)!.commitOk!;
    const what = `'${send.value}' (acknowledged at event ${acked}${send.ackOffset === undefined ? '' : ` at ${send.tp} offset ${send.ackOffset}`})`;
    const events = [send.invokeIndex, acked];
    if (drain !== undefined && !drain.offsetOf.has(send.value)) {
      const there = send.ackOffset === undefined ? undefined : drain.valueAt.get(send.ackOffset);
      const last = drain.offsets.at(-1);
      sink.add({
        kind: 'unseen',
        message:
          `${what} is absent from the drain of ${send.tp} (event ${drain.events.join(', ')}), ` +
          (there !== undefined
            ? `which has '${there}' at that offset`
            : last === undefined
              ? 'which is empty'
              : send.ackOffset !== undefined && send.ackOffset <= last
                ? 'which has nothing at that offset'
                : `which ends at offset ${last}`) +
          (reads.length > 0 ? `; it was read before by ${describeObservation(reads[0]!)}` : ''),
        partitions: [send.tp],
        events: [...events, ...drain.events],
        values: [send.value],
        offsets: send.ackOffset === undefined ? [] : [send.ackOffset],
      });
    }
    if (reads.length > 0) continue;
    const later = laterRead(send, acked, furthest.get(send.tp));
    if (later === undefined) {
      if (drain === undefined) unread++;
      continue;
    }
    sink.add({
      kind: 'lost-write',
      message: `${what} was never read, though ${describeObservation(later)} read '${later.value}' at later offset ${later.offset}`,
      partitions: [send.tp],
      events: [...events, later.event],
      values: [send.value, later.value],
      offsets: [...(send.ackOffset === undefined ? [] : [send.ackOffset]), later.offset],
    });
  }
  return unread;
}

interface Furthest {
  /** The read_committed read of the highest offset. */
  byOffset?: Observation;
  /** The read_committed read of the value sent last. */
  bySendTime?: { o: Observation; invokeIndex: number };
}

function furthestReads(index: HistoryIndex): Map<string, Furthest> {
  const out = new Map<string, Furthest>();
  for (const o of index.observations) {
    if (o.source === 'ack' || !atReadCommitted(o)) continue;
    const send = index.sends.get(o.value);
    if (send?.tp !== o.tp) continue;
    const f = out.get(o.tp) ?? {};
    if (f.byOffset === undefined || o.offset > f.byOffset.offset) f.byOffset = o;
    if (f.bySendTime === undefined || send.invokeIndex > f.bySendTime.invokeIndex) {
      f.bySendTime = { o, invokeIndex: send.invokeIndex };
    }
    out.set(o.tp, f);
  }
  return out;
}

function laterRead(send: SendRecord, acked: number, furthest: Furthest | undefined): Observation | undefined {
  if (furthest === undefined) return undefined;
  if (
    send.ackOffset !== undefined &&
    furthest.byOffset !== undefined &&
    furthest.byOffset.offset > send.ackOffset
  ) {
    return furthest.byOffset;
  }
  // Without an acknowledged offset: anything sent after this send was acknowledged lands after it.
  if (furthest.bySendTime !== undefined && furthest.bySendTime.invokeIndex > acked) {
    return furthest.bySendTime.o;
  }
  return undefined;
}

/**
 * A committed transaction (or an indeterminate one that was seen) only partly in the drains of
 * the partitions it wrote to, or seen at read_committed yet wholly absent from them.
 *
 * @example
 * ```ts
 * checkTornInDrain(indexHistory(history), sink);
 * ```
 */
export function checkTornInDrain(index: HistoryIndex, sink: AnomalySink): void {
  for (const txn of index.txns.values()) {
    if (!evidentlyCommitted(txn)) continue;
    const expected = txn.sends.filter((s) => s.outcome !== 'fail' && index.drains.has(s.tp));
    const present = expected.filter((s) => index.drains.get(s.tp)!.offsetOf.has(s.value));
    const missing = expected.filter((s) => !present.includes(s));
    const seenElsewhere = present.length === 0 && txn.outcome === 'indeterminate';
    if (missing.length === 0 || (present.length === 0 && !seenElsewhere)) continue;
    const at = (s: SendRecord) =>
      `'${s.value}' at ${s.tp} offset ${index.drains.get(s.tp)!.offsetOf.get(s.value)}`;
    const firstRead = index.observations.find(
      (o) => atReadCommitted(o) && o.source === 'poll' && index.sends.get(o.value)?.txn === txn.key,
    );
    sink.add({
      kind: 'torn-transaction',
      message:
        `${describeTxn(txn)} is only partly in the drain: ` +
        (present.length > 0
          ? `${present.map(at).join(', ')} present`
          : `seen by ${firstRead === undefined ? 'a read' : describeObservation(firstRead)}`) +
        `; ${missing.map((s) => `'${s.value}' (${s.tp})`).join(', ')} missing`,
      partitions: [...new Set(expected.map((s) => s.tp))],
      events: [
        ...(txn.commitInvoke === undefined ? [] : [txn.commitInvoke]),
        ...new Set(expected.flatMap((s) => index.drains.get(s.tp)!.events)),
      ],
      values: expected.map((s) => s.value),
      offsets: present.map((s) => index.drains.get(s.tp)!.offsetOf.get(s.value)!),
    });
  }
}
