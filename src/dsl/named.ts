/**
 * The `{ as }` option every DSL operator accepts: an explicit processor name.
 *
 * @example
 * ```ts
 * stream.filter((_, v) => v !== null, { as: 'drop-nulls' });
 * ```
 */
export interface Named {
  /** The processor's name; generated Kafka-style when omitted. Must be unique in the topology. */
  readonly as?: string;
}
