/** Arrow IPC stream end-of-stream marker: continuation token 0xFFFFFFFF followed by a zero length. */
const EOS = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0]);

/**
 * Concatenates DuckDB-WASM's streamed result messages (schema header, then record batches) into one Arrow IPC
 * stream. Mirrors duckdb-wasm's `AsyncResultStreamIterator`, but keeps raw bytes so results cross the worker
 * boundary as one transferable buffer and no Arrow instance is shared between bundles (see stack.md G2).
 */
export function concatIpc(parts: Uint8Array[]): Uint8Array {
  let size = EOS.length;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  out.set(EOS, offset);
  return out;
}
