/**
 * The input, states and events of a transactional id's actor (txn-actor.ts), and what it tells
 * its host.
 */

import type { WireError } from '../../../common/kafka-errors.js';
import type { ActorId } from '../../../runtime/actor/index.js';
import type { CoordinatorStateLog } from '../coordinator-state-log.js';
import type { ProducerIdSource } from './producer-id-blocks.js';
import type { TransactionCoordinatorConfig } from './txn-coordinator-config.js';
import type { MarkerTimerEvent } from './txn-marker-writer.js';
import type { TxnMetadata } from './txn-metadata.js';
import type { TransactionStateName } from './txn-requests.js';

/**
 * What the actor of a transactional id is spawned with.
 *
 * @example
 * ```ts
 * const input: TxnActorInput = { transactionalId: 'app-1', partition: 3, coordinatorEpoch: 2, config, log, producerIds };
 * ```
 */
export interface TxnActorInput {
  transactionalId: string;
  /** Its `__transaction_state` partition. */
  partition: number;
  /** That partition's leader epoch, which the markers carry. */
  coordinatorEpoch: number;
  config: TransactionCoordinatorConfig;
  log: CoordinatorStateLog;
  producerIds: ProducerIdSource;
  /** The coordinator host, told when this actor is done; none for an actor run on its own. */
  host?: ActorId;
  /** The metadata as loaded from `__transaction_state`, if the id was there. */
  loaded?: TxnMetadata;
}

/**
 * The machine's states, derived from the stored state and the write in flight.
 *
 * @example
 * ```ts
 * if (txn.phase() === 'prepareCommit') console.log('writing COMMIT markers');
 * ```
 */
export type TxnPhase =
  | 'empty'
  | 'ongoing'
  | 'prepareEpochFence'
  | 'prepareCommit'
  | 'prepareAbort'
  | 'completeCommit'
  | 'completeAbort'
  | 'dead';

/**
 * The events the actor sends itself: finished writes and timers.
 *
 * @example
 * ```ts
 * actor.send(actor.id, { type: 'internal.stored', ticket } satisfies TxnSelfEvent);
 * ```
 */
export type TxnSelfEvent =
  | { readonly type: 'internal.stored'; readonly ticket: number }
  | { readonly type: 'internal.storeFailed'; readonly ticket: number; readonly error: WireError }
  | { readonly type: 'internal.retryComplete' }
  | MarkerTimerEvent;

/**
 * Sent to the host when the actor dies (its id expired, or its partition was unloaded).
 *
 * @example
 * ```ts
 * if (event.type === 'txn.stateChanged' && event.state === 'Dead') retire(event.actorId);
 * ```
 */
export type TxnStateChangedEvent = {
  readonly type: 'txn.stateChanged';
  readonly transactionalId: string;
  readonly actorId: ActorId;
  readonly state: TransactionStateName;
};

/**
 * Sent to the host in answer to `txn.retire`: every request sent before it was answered.
 *
 * @example
 * ```ts
 * if (event.type === 'txn.retired') actor.stop(event.actorId);
 * ```
 */
export type TxnRetiredEvent = {
  readonly type: 'txn.retired';
  readonly transactionalId: string;
  readonly actorId: ActorId;
};
