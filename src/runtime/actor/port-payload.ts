/**
 * How an event's bytes cross a MessagePort. Structured clone copies every ArrayBuffer it meets,
 * and copies the *whole* ArrayBuffer behind a view — so a 100-byte slice of a 1 MiB segment buffer
 * (or of Node's 8 KiB Buffer pool) would drag the whole megabyte across. It also turns a Buffer
 * into a plain Uint8Array. So before posting, the sender walks the event once:
 *
 * - a view on part of a larger ArrayBuffer is copied into a compact buffer of its own, and that
 *   copy is transferred (the one copy that cannot be avoided, never a second one in postMessage);
 * - a view on a whole ArrayBuffer is cloned (copied once by postMessage): the sender may still
 *   need it — a producer resends the same bytes on a retry — and transferring would detach it;
 * - unless the sender handed it over with `transferOwnership`: then it is transferred, no copy;
 * - a SharedArrayBuffer is never transferred (structured clone shares it);
 * - Buffers are noted by path, and the receiver wraps those views as Buffers again (no copy).
 *
 * Class instances other than built-ins lose their prototype in structured clone; the walk reports
 * them so a test can assert that no event relies on one.
 */

/** Where a value sits inside an event: field names and array indexes from the event's root. */
export type PayloadPath = readonly (string | number)[];

/** An event prepared for postMessage. */
export interface PreparedPayload {
  /** The event to post: the original object where nothing changed, shallow copies where it did. */
  readonly value: unknown;
  /** Paths of values that were Buffers, so the receiver restores them. */
  readonly buffers: PayloadPath[];
  /** Plain-object values that are class instances (their prototype will be lost), by path. */
  readonly lossy: { path: PayloadPath; className: string }[];
}

/** Containers deeper than this are cloned as they are (events are shallow; this bounds the walk). */
const MAX_DEPTH = 8;

const handedOver = new WeakSet<ArrayBufferView>();

/**
 * Declares that the sender no longer needs `view`'s bytes: when it next crosses a MessagePort its
 * ArrayBuffer is transferred (detached here) instead of copied. Only a view on a whole, unshared
 * ArrayBuffer qualifies; anything else is copied as usual, since transferring would detach bytes
 * that someone else may still read.
 *
 * @example
 * ```ts
 * const records = Buffer.allocUnsafeSlow(n); // its own ArrayBuffer
 * reply(actor, request, { records: transferOwnership(records) });
 * ```
 */
export function transferOwnership<T extends ArrayBufferView>(view: T): T {
  handedOver.add(view);
  return view;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Built-ins that structured clone keeps as what they are. */
function clonesFaithfully(value: object): boolean {
  return (
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error ||
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
  );
}

function isWholeUnshared(view: ArrayBufferView): boolean {
  const buffer = view.buffer;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength;
}

/**
 * Prepares `value` for postMessage, adding the ArrayBuffers to move to `transfer`.
 *
 * @example
 * ```ts
 * const transfer: ArrayBuffer[] = [];
 * const { value, buffers } = preparePayload(envelope.event, transfer);
 * port.postMessage({ value, buffers }, transfer);
 * ```
 */
export function preparePayload(value: unknown, transfer: ArrayBuffer[]): PreparedPayload {
  const buffers: PayloadPath[] = [];
  const lossy: { path: PayloadPath; className: string }[] = [];
  const moved = new Set<ArrayBuffer>();
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v)) {
      if (Buffer.isBuffer(v)) buffers.push([...path]);
      const shared = !(v.buffer instanceof ArrayBuffer);
      if (shared) return v;
      if (isWholeUnshared(v)) {
        if (handedOver.has(v) && !moved.has(v.buffer as ArrayBuffer)) {
          moved.add(v.buffer as ArrayBuffer);
          transfer.push(v.buffer as ArrayBuffer);
        }
        return v;
      }
      // A view on part of a larger buffer: copy just its bytes, and move the copy.
      const copy = new Uint8Array(v.byteLength);
      copy.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      transfer.push(copy.buffer);
      if (v instanceof Uint8Array || Buffer.isBuffer(v)) return copy;
      const Ctor = v.constructor as new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView;
      const bytesPer = (v as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      return v instanceof DataView
        ? new DataView(copy.buffer)
        : new Ctor(copy.buffer, 0, v.byteLength / bytesPer);
    }
    if (path.length >= MAX_DEPTH) return v;
    if (Array.isArray(v)) return walkEntries(v, path, walk, true);
    if (isPlainObject(v)) return walkEntries(v as Record<string, unknown>, path, walk, false);
    if (!clonesFaithfully(v)) lossy.push({ path: [...path], className: v.constructor?.name ?? '?' });
    return v;
  };
  return { value: walk(value, []), buffers, lossy };
}

/** Walks a container's entries, copying the container only if some entry changed. */
function walkEntries(
  container: Record<string, unknown> | unknown[],
  path: (string | number)[],
  walk: (v: unknown, path: (string | number)[]) => unknown,
  isArray: boolean,
): unknown {
  let out: Record<string, unknown> | unknown[] | undefined;
  const keys = isArray ? (container as unknown[]).keys() : Object.keys(container);
  for (const key of keys) {
    const before = (container as Record<string | number, unknown>)[key];
    path.push(key);
    const after = walk(before, path);
    path.pop();
    if (after !== before) {
      out ??= isArray ? [...(container as unknown[])] : { ...(container as Record<string, unknown>) };
      (out as Record<string | number, unknown>)[key] = after;
    }
  }
  return out ?? container;
}

/**
 * Restores the Buffers `preparePayload` noted, on the receiving side (views, no copies).
 *
 * @example
 * ```ts
 * const event = restoreBuffers(message.value, message.buffers);
 * ```
 */
export function restoreBuffers(value: unknown, buffers: readonly PayloadPath[] | undefined): unknown {
  if (buffers === undefined || buffers.length === 0) return value;
  let root = value;
  for (const path of buffers) {
    if (path.length === 0) {
      root = asBuffer(root);
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]!] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    parent[last] = asBuffer(parent[last]);
  }
  return root;
}

function asBuffer(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}
