/**
 * What restoration tells its listener (the CLI and the dashboard show these): when it starts and
 * from where, its progress per batch, when and why it wipes a store, and when it is done.
 */

/**
 * Why a store is wiped before it is rebuilt from the changelog's start.
 *
 * - `corrupt`: the engine failed to open and the failure says its data is unreadable;
 * - `noOffsets`: the store holds data but no changelog offset, so nothing says what it reflects;
 * - `offsetOutOfRange`: the stored offset is past the changelog's end (the changelog was deleted or
 *   lost data) or before its start (retention removed what the store still had to replay).
 *
 * @example
 * ```ts
 * const reason: WipeReason = 'offsetOutOfRange';
 * ```
 */
export type WipeReason = 'corrupt' | 'noOffsets' | 'offsetOutOfRange';

/** Which store and changelog partition an event is about. */
interface RestoreEventBase {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * An event of restoration.
 *
 * @example
 * ```ts
 * const listener: RestoreListener = (e) => {
 *   if (e.type === 'restoreProgress') console.log(`${e.store}: ${e.restored}/${e.total} (${e.ratePerSec}/s)`);
 *   if (e.type === 'storeWiped') console.warn(e.message);
 * };
 * ```
 */
export type RestoreEvent =
  | (RestoreEventBase & {
      readonly type: 'storeWiped';
      readonly reason: WipeReason;
      /** A sentence saying what was found and what happens now. */
      readonly message: string;
    })
  | (RestoreEventBase & {
      readonly type: 'restoreStarted';
      /** The first changelog offset to replay. */
      readonly startOffset: number;
      /** The offset restoration stops at (the last stable offset when it started). */
      readonly endOffset: number;
      /** endOffset − startOffset: offsets to cover (records, markers and aborted data alike). */
      readonly total: number;
      /** True when the whole changelog is replayed (a new, missing or wiped store). */
      readonly fromScratch: boolean;
    })
  | (RestoreEventBase & {
      readonly type: 'restoreProgress';
      /** Offsets covered so far, out of `total`; the last progress event has restored = total. */
      readonly restored: number;
      readonly total: number;
      /** Records applied so far (fewer than `restored` when markers or aborted data were skipped). */
      readonly records: number;
      /** Offsets covered per second since the start, on the injected clock. */
      readonly ratePerSec: number;
    })
  | (RestoreEventBase & {
      readonly type: 'restoreEnded';
      readonly restored: number;
      readonly records: number;
      readonly durationMs: number;
    });

/**
 * Receives restoration events; it must not throw.
 *
 * @example
 * ```ts
 * const listener: RestoreListener = (e) => dashboard.publish(e);
 * ```
 */
export type RestoreListener = (event: RestoreEvent) => void;
