/**
 * How the checker shows bytes: UTF-8 text as a JSON string (readable in a diff, and unambiguous),
 * anything else as hex, null as `null`.
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Renders a key or value for comparison and reports.
 *
 * @example
 * ```ts
 * renderBytes(Buffer.from('alpha')); // '"alpha"'
 * renderBytes(new Uint8Array([0, 0, 0, 7])); // 'hex:00000007'
 * renderBytes(null); // 'null'
 * ```
 */
export function renderBytes(bytes: Uint8Array | null): string {
  if (bytes === null) return 'null';
  try {
    const text = decoder.decode(bytes);
    // Control characters (binary that happens to be valid UTF-8) read better as hex.
    if (!hasControlCharacters(text)) return JSON.stringify(text);
  } catch {
    // Not UTF-8: hex below.
  }
  return `hex:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Control characters other than tab and line breaks: the mark of binary data. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}
