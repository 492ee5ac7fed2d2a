/**
 * The per-record call the runtime compiles a topology into: one synchronous function per node,
 * taking the record's parts as arguments so no object is allocated per hop (DESIGN.md §3).
 */
import type { Header } from '../../dsl/stream-record.js';

/**
 * Pushes one record into a node (and on to its children).
 *
 * @example
 * ```ts
 * const log: Forward = (key, value, timestamp) => seen.push([key, value, timestamp]);
 * ```
 */
export type Forward = (key: unknown, value: unknown, timestamp: number, headers: readonly Header[]) => void;

/**
 * One Forward that calls each of `children` in order.
 *
 * @example
 * ```ts
 * const both = fanOut([left, right]);
 * both('k', 'v', 0, []);
 * ```
 * @throws whatever a child throws.
 */
export function fanOut(children: readonly Forward[]): Forward {
  if (children.length === 0) return () => undefined;
  if (children.length === 1) return children[0]!;
  return (key, value, timestamp, headers) => {
    for (let i = 0; i < children.length; i++) children[i]!(key, value, timestamp, headers);
  };
}
