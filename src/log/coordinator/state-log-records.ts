/**
 * Turning the batches of a coordinator's partition into the records `readAll` returns: a plain
 * batch's records as key and value only (the common case, a tight loop), a transactional batch's
 * records with their producer, and a COMMIT or ABORT marker as an entry of its own, in log order.
 * Shared by the replicated and the local state log, which differ only in how they get the bytes.
 */
import { parseControlRecord } from '../format/control-record.js';
import type { RecordBatchView } from '../format/record-batch-decoder.js';
import type { StoredCoordinatorRecord } from './coordinator-state-log.js';

/**
 * Appends to `out` the records of `view` at or after `fromOffset` (a read may start inside a
 * batch whose first records came already). Keys and values are copied: decoded ones are views into
 * the read buffer. Records without a key, and control records other than COMMIT and ABORT, are
 * skipped: neither means anything to a coordinator.
 *
 * @example
 * ```ts
 * for (const view of iterateBatches(bytes)) collectBatch(view, offset, out);
 * ```
 * @throws CorruptRecordError for a malformed record or marker.
 */
export function collectBatch(
  view: RecordBatchView,
  fromOffset: number,
  out: StoredCoordinatorRecord[],
): void {
  const iterator = view.records();
  if (view.isControl) {
    for (let r = iterator.nextRecord(); r !== undefined; r = iterator.nextRecord()) {
      if (r.offset < fromOffset) continue;
      const marker = parseControlRecord(r);
      if (marker.type === 'UNKNOWN') continue;
      out.push({
        key: r.key!.slice(),
        value: r.value === null ? null : r.value.slice(),
        producerId: view.producerId,
        producerEpoch: view.producerEpoch,
        isTransactional: true,
        control: marker.type,
        coordinatorEpoch: marker.coordinatorEpoch,
      });
    }
    return;
  }
  if (!view.isTransactional) {
    for (let r = iterator.nextRecord(); r !== undefined; r = iterator.nextRecord()) {
      if (r.offset < fromOffset || r.key === null) continue;
      out.push({ key: r.key.slice(), value: r.value === null ? null : r.value.slice() });
    }
    return;
  }
  // Read once per batch, not per record.
  const producerId = view.producerId;
  const producerEpoch = view.producerEpoch;
  for (let r = iterator.nextRecord(); r !== undefined; r = iterator.nextRecord()) {
    if (r.offset < fromOffset || r.key === null) continue;
    out.push({
      key: r.key.slice(),
      value: r.value === null ? null : r.value.slice(),
      producerId,
      producerEpoch,
      isTransactional: true,
    });
  }
}
