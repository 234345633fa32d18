// lz4js ships no types; these are the two frame-format functions Flywheel uses.
declare module 'lz4js' {
  /** Decompresses one LZ4 frame; `maxSize` sizes the output buffer. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses bytes into one LZ4 frame (used by the fixture generator). */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
