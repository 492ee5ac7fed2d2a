/**
 * Where a broker's transaction coordinator lives.
 */

/**
 * The actor id of a broker's transaction coordinator host.
 *
 * @example
 * ```ts
 * txnCoordinatorActorId(2); // 'broker-2/txn-coordinator'
 * ```
 */
export function txnCoordinatorActorId(brokerId: number): string {
  return `broker-${brokerId}/txn-coordinator`;
}
