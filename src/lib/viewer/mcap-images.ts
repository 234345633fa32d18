/**
 * Camera topics of MCAP logs in the viewer: which topics hold images, the query for the image shown at a moment of
 * an episode (the latest message at or before it, sample-and-hold like the frames), and raw pixels to RGBA.
 */
import { quoteIdent, quoteString } from '../util/sql';

/** ROS 1/2 and Foxglove image schemas: raw (`Image`) or encoded (`CompressedImage`). */
const IMAGE_SCHEMA = /(^|[/.])(Image|CompressedImage|RawImage)$/;

/** The topics that hold camera images (decoded without error). */
export function imageTopics<T extends { topic: string; table: string; schema: string | null; error: string | null }>(topics: readonly T[]): T[] {
  return topics.filter((t) => !t.error && t.schema !== null && IMAGE_SCHEMA.test(t.schema));
}

/** The latest message of `table` in `file` at or before `logTimeNs` (nanoseconds, as the log's clock). */
export function imageAtSql(table: string, file: string, logTimeNs: bigint): string {
  return `SELECT * FROM ${quoteIdent(table)} WHERE mcap_file = ${quoteString(file)} AND log_time <= ${logTimeNs} ORDER BY log_time DESC LIMIT 1`;
}

/** The log time of `t` seconds into an episode that starts at `startNs`. */
export function logTimeAt(startNs: bigint, t: number): bigint {
  return startNs + BigInt(Math.round(t * 1e9));
}

/**
 * RGBA pixels of a raw image (sensor_msgs/Image encodings rgb8, bgr8, rgba8, bgra8, mono8), or null for an encoding
 * this does not draw (the pane then says which). `step` is the row length in bytes.
 */
export function rgbaFromRaw(data: Uint8Array, encoding: string, width: number, height: number, step: number): Uint8ClampedArray | null {
  const layouts: Record<string, { n: number; r: number; g: number; b: number; a: number | null }> = {
    rgb8: { n: 3, r: 0, g: 1, b: 2, a: null },
    bgr8: { n: 3, r: 2, g: 1, b: 0, a: null },
    rgba8: { n: 4, r: 0, g: 1, b: 2, a: 3 },
    bgra8: { n: 4, r: 2, g: 1, b: 0, a: 3 },
    mono8: { n: 1, r: 0, g: 0, b: 0, a: null },
  };
  const l = layouts[encoding.toLowerCase()];
  if (!l || width <= 0 || height <= 0 || step < width * l.n || data.length < step * (height - 1) + width * l.n) return null;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * step + x * l.n;
      const o = (y * width + x) * 4;
      out[o] = data[i + l.r];
      out[o + 1] = data[i + l.g];
      out[o + 2] = data[i + l.b];
      out[o + 3] = l.a === null ? 255 : data[i + l.a];
    }
  }
  return out;
}
