/**
 * Phrases for anomaly messages: where a value was observed, and how a transaction ended.
 */
import type { Observation, TxnRecord } from './history-index.js';

/**
 * An observation as a phrase for messages.
 *
 * @example
 * ```ts
 * describeObservation(o); // 'poll by c1 (read_committed) at event 9'
 * ```
 */
export function describeObservation(o: Observation): string {
  if (o.source === 'poll') return `poll by ${o.consumer} (${o.isolation}) at event ${o.event}`;
  return `${o.source === 'ack' ? 'acknowledgement' : 'drain'} at event ${o.event}`;
}

/**
 * A transaction and how it ended, as a phrase for messages.
 *
 * @example
 * ```ts
 * describeTxn(txn); // 'transaction p1#3 (aborted: abort invoked at event 12)'
 * ```
 */
export function describeTxn(txn: TxnRecord): string {
  const how =
    txn.outcome === 'committed'
      ? `committed: commit ok at event ${txn.commitOk}`
      : txn.outcome === 'indeterminate'
        ? `indeterminate: commit invoked at event ${txn.commitInvoke}`
        : txn.commitInvoke !== undefined
          ? `aborted: commit invoked at event ${txn.commitInvoke} ${txn.abortOk === undefined ? 'failed' : `did not succeed, abort ok at event ${txn.abortOk}`}`
          : txn.abortInvoke !== undefined
            ? `aborted: abort invoked at event ${txn.abortInvoke}`
            : 'never committed';
  return `transaction ${txn.key} (${how})`;
}
