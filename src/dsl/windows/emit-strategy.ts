/**
 * When a windowed aggregation emits (Kafka Streams 4.x `EmitStrategy`, KIP-825): on every update of
 * a window (the default), or once per window when it closes (its end plus grace has passed in stream
 * time). Pure data: the runtime interprets it.
 */

/**
 * An emit strategy for a windowed aggregation.
 *
 * @example
 * ```ts
 * const strategy: EmitStrategy = EmitStrategy.onWindowClose();
 * if (strategy.kind === 'on-window-close') console.log('one final result per window');
 * ```
 */
export interface EmitStrategy {
  /** `on-window-update`: emit every change; `on-window-close`: emit the final result only. */
  readonly kind: 'on-window-update' | 'on-window-close';
}

const ON_WINDOW_UPDATE: EmitStrategy = Object.freeze({ kind: 'on-window-update' });
const ON_WINDOW_CLOSE: EmitStrategy = Object.freeze({ kind: 'on-window-close' });

/**
 * The two emit strategies, as in Kafka Streams.
 *
 * @example
 * ```ts
 * EmitStrategy.onWindowUpdate(); // the default: a result after every record
 * EmitStrategy.onWindowClose(); // one result per window, after it closes
 * ```
 */
export const EmitStrategy = Object.freeze({
  /** Emits the window's new result after every record that updates it (the default). */
  onWindowUpdate: (): EmitStrategy => ON_WINDOW_UPDATE,
  /** Emits each window's result once, when stream time passes its end plus grace. */
  onWindowClose: (): EmitStrategy => ON_WINDOW_CLOSE,
});
