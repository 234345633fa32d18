import { decompress as zstdDecompress } from 'fzstd';
import { decompress as lz4Decompress } from 'lz4js';

/** Decompresses one chunk's records to exactly `size` bytes. */
export type Decompress = (data: Uint8Array, size: number) => Uint8Array;

/**
 * Chunk decompressors in pure JS. `@mcap/support` bundles wasm codecs that Vite 8 cannot build (stack.md G3), so the
 * browser uses fzstd and lz4js instead; MCAP's lz4 is the LZ4 *frame* format, which `lz4js.decompress` reads.
 */
export const DECOMPRESSORS: Record<string, Decompress> = {
  zstd: (data, size) => zstdDecompress(data, new Uint8Array(size)),
  lz4: (data, size) => {
    const out = lz4Decompress(data, size);
    return out.length === size ? out : out.subarray(0, size);
  },
};

/** Decompresses chunk records; throws a message naming the compression when there is no codec or it fails. */
export function decompressChunk(compression: string, data: Uint8Array, size: number): Uint8Array {
  if (compression === '') return data;
  const fn = DECOMPRESSORS[compression];
  if (!fn) throw new Error(`chunks compressed with "${compression}" cannot be read (supported: zstd, lz4, none)`);
  const out = fn(data, size);
  if (out.length !== size) throw new Error(`${compression} chunk decompressed to ${out.length} bytes, expected ${size}`);
  return out;
}
