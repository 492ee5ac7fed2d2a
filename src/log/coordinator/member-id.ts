/**
 * Member ids as Kafka makes them: the client id (or, for a static member, its group instance id)
 * and a random UUID, so ids say whose they are and never repeat. The UUID comes from the injected
 * Random, so a simulated run hands out the same ids every time.
 */
import type { Random } from '../../runtime/actor/random.js';

/**
 * A random (version 4) UUID from `random`.
 *
 * @example
 * ```ts
 * uuidFrom(new SeededRandom(1)); // e.g. '3f2b8c1e-9d4a-4e7b-8a1c-5e6f7a8b9c0d'
 * ```
 */
export function uuidFrom(random: Random): string {
  const words = [random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()];
  // Version 4 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
  words[1] = ((words[1]! & 0xffff0fff) | 0x00004000) >>> 0;
  words[2] = ((words[2]! & 0x3fffffff) | 0x80000000) >>> 0;
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A new member id: `prefix-uuid`.
 *
 * @example
 * ```ts
 * newMemberId('consumer-1', actor.random); // 'consumer-1-3f2b8c1e-…'
 * ```
 */
export function newMemberId(prefix: string, random: Random): string {
  return `${prefix}-${uuidFrom(random)}`;
}
