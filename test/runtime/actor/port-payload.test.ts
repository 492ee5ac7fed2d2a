import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preparePayload, restoreBuffers } from '../../../src/runtime/actor/index.js';

/** What crosses a port: structuredClone with transfer is what postMessage does. */
function cross(event: unknown): { received: unknown; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const { value, buffers } = preparePayload(event, transfer);
  const cloned = structuredClone({ value, buffers }, { transfer });
  return { received: restoreBuffers(cloned.value, cloned.buffers), transfer };
}

describe('port payloads', () => {
  it('deliver every view byte for byte, leave the sender intact, and move at most the viewed bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (bytes, a, b, asBuffer) => {
          const start = a % bytes.length;
          const end = start + (b % (bytes.length - start + 1));
          const view = asBuffer ? Buffer.from(bytes.buffer, start, end - start) : bytes.subarray(start, end);
          const before = Uint8Array.from(bytes);
          const event = { type: 'x', nested: { list: [view, 1] }, view };
          const { received, transfer } = cross(event);
          const r = received as { nested: { list: [Uint8Array, number] }; view: Uint8Array };
          expect(bytes.byteLength).toBe(before.byteLength);
          expect(bytes).toEqual(before);
          for (const got of [r.view, r.nested.list[0]]) {
            expect(Buffer.isBuffer(got)).toBe(asBuffer);
            expect([...got]).toEqual([...view]);
          }
          expect(r.nested.list[1]).toBe(1);
          for (const t of transfer) expect(t.byteLength).toBeLessThanOrEqual(view.byteLength);
        },
      ),
    );
  });

  it('leave an event without bytes or class instances as it is', () => {
    const event = { type: 'controller.metadata', topics: ['a'], map: new Map([[1, 'x']]) };
    const transfer: ArrayBuffer[] = [];
    const prepared = preparePayload(event, transfer);
    expect(prepared.value).toBe(event);
    expect(prepared.buffers).toEqual([]);
    expect(prepared.lossy).toEqual([]);
    expect(transfer).toEqual([]);
  });
});
