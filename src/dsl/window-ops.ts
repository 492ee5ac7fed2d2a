/**
 * The windowed processor kinds (windowed aggregations, suppress) as plain data; the runtime
 * interprets each. A reduce is carried as an aggregate whose initializer gives null and whose
 * aggregator takes the first value as it is (the DSL wraps the reducer), so the runtime has one
 * path per window kind; `store` names the StoreDefinition the operator keeps its state in.
 */

/** Erased function types: the fluent API is typed, the stored graph is not. */
type Fn3<R> = (a: never, b: never, c: never) => R;

/** What every windowed aggregation carries. */
interface WindowedAggregation {
  readonly store: string;
  /** The starting aggregate of a new window (null for a reduce). */
  readonly initializer: () => unknown;
  /** (key, value, aggregate) → new aggregate. */
  readonly aggregator: Fn3<unknown>;
  /** How long after a window ends records are still accepted, by the processor's stream time. */
  readonly graceMs: number;
  /** True for EmitStrategy.onWindowClose: forward each window's final result once, when it closes. */
  readonly emitOnClose: boolean;
}

/**
 * Windowed aggregations and suppression.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind === 'suppress') console.log(node.op.store);
 * ```
 */
export type WindowOp =
  /** Tumbling (advance = size) or hopping windows `[start, start + size)`. */
  | (WindowedAggregation & {
      readonly kind: 'timeWindowAggregate';
      readonly sizeMs: number;
      readonly advanceMs: number;
    })
  /** Sliding windows `[start, start + timeDifference]` created by the records (KIP-450). */
  | (WindowedAggregation & { readonly kind: 'slidingWindowAggregate'; readonly timeDifferenceMs: number })
  /** Session windows merged within the inactivity gap; `merger` combines two sessions' aggregates. */
  | (WindowedAggregation & {
      readonly kind: 'sessionWindowAggregate';
      readonly gapMs: number;
      readonly merger: Fn3<unknown>;
    })
  /**
   * KTable.suppress: buffers updates in the key-value store `store` and forwards a key's latest
   * change when its time comes — at window end + `graceMs` (`until-window-closes`), or at the
   * key's first buffered timestamp + `waitMs` (`until-time-limit`), by the processor's stream time.
   */
  | {
      readonly kind: 'suppress';
      readonly store: string;
      readonly until: 'window-closes' | 'time-limit';
      /**
       * For `window-closes`: a windowed key is due at its window end plus this (the upstream
       * grace; plus 1 ms for windows that include their end; plus the gap for sessions).
       */
      readonly graceMs: number;
      /** For `time-limit`: how long a key waits for more updates. */
      readonly waitMs: number;
      readonly maxRecords: number | null;
      readonly maxBytes: number | null;
      readonly whenFull: 'emit-early' | 'shut-down';
    };
