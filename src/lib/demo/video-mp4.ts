/**
 * Small ISO-BMFF (mp4) helpers for the demo's videos. Pure: bytes in, bytes out.
 *
 * The encoder's muxer (mp4v2 inside h264-mp4-encoder) stamps the wall-clock time into the movie, track and media
 * headers, so two runs of `npm run demo` would differ in those bytes; the committed demo must be reproducible
 * byte for byte, so the stamps are zeroed (the value ISO-BMFF writers use for "unknown").
 */

/** One box: its type, where it starts and how long it is (header included). */
export interface Mp4Box {
  type: string;
  start: number;
  size: number;
  /** Size of the box header (8, or 16 with a 64-bit size). */
  header: number;
}

/** Container boxes whose children are boxes (the ones on the way to the headers and sample tables). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf']);

/** The boxes directly inside `bytes[from, to)`. */
export function mp4Boxes(bytes: Uint8Array, from = 0, to = bytes.length): Mp4Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Mp4Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) throw new Error(`mp4: box at ${at} has a bad size ${size}`);
    out.push({ type: String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]), start: at, size, header });
    at += size;
  }
  return out;
}

/** Every box in the tree under the containers above, depth first (for tests and for finding headers). */
export function mp4Walk(bytes: Uint8Array, from = 0, to = bytes.length): Mp4Box[] {
  const out: Mp4Box[] = [];
  for (const b of mp4Boxes(bytes, from, to)) {
    out.push(b);
    if (CONTAINERS.has(b.type)) out.push(...mp4Walk(bytes, b.start + b.header, b.start + b.size));
  }
  return out;
}

/**
 * Zeroes creation and modification times of `mvhd`, `tkhd` and `mdhd` in place (version 0: 32-bit times after
 * the 4-byte version/flags; version 1: 64-bit). Returns `bytes`.
 */
export function zeroMp4Times(bytes: Uint8Array): Uint8Array {
  for (const b of mp4Walk(bytes)) {
    if (b.type !== 'mvhd' && b.type !== 'tkhd' && b.type !== 'mdhd') continue;
    const body = b.start + b.header;
    const width = bytes[body] === 1 ? 8 : 4;
    bytes.fill(0, body + 4, body + 4 + 2 * width);
  }
  return bytes;
}

/** A big-endian 32-bit read. */
function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

function putU32(bytes: Uint8Array, at: number, v: number): void {
  bytes[at] = v >>> 24;
  bytes[at + 1] = (v >>> 16) & 255;
  bytes[at + 2] = (v >>> 8) & 255;
  bytes[at + 3] = v & 255;
}

/** File offset of every sample of the (single) track, from its stsz, stsc and stco tables. */
function sampleOffsets(bytes: Uint8Array, stsz: Mp4Box, stsc: Mp4Box, stco: Mp4Box): { offset: number; size: number }[] {
  const zb = stsz.start + stsz.header;
  const fixed = u32(bytes, zb + 4);
  const count = u32(bytes, zb + 8);
  const sizes = Array.from({ length: count }, (_, i) => (fixed ? fixed : u32(bytes, zb + 12 + 4 * i)));
  const cb = stco.start + stco.header;
  const chunks = Array.from({ length: u32(bytes, cb + 4) }, (_, i) => u32(bytes, cb + 8 + 4 * i));
  const sb = stsc.start + stsc.header;
  const runs = Array.from({ length: u32(bytes, sb + 4) }, (_, i) => ({ first: u32(bytes, sb + 8 + 12 * i), per: u32(bytes, sb + 12 + 12 * i) }));
  const out: { offset: number; size: number }[] = [];
  let s = 0;
  for (let c = 0; c < chunks.length && s < count; c++) {
    const run = runs.filter((r) => r.first <= c + 1).pop();
    let at = chunks[c];
    for (let k = 0; k < (run?.per ?? 1) && s < count; k++, s++) {
      out.push({ offset: at, size: sizes[s] });
      at += sizes[s];
    }
  }
  return out;
}

/**
 * Adds the sync-sample table (`stss`) that mp4v2 leaves out. Without it every sample counts as a keyframe, so a
 * browser seeking to frame 23 starts decoding at frame 23 itself, cannot (it is a P-frame), and shows the next real
 * keyframe instead. The keyframes are the samples holding an IDR picture (H.264 NAL type 5, 4-byte NAL lengths).
 * The table goes at the end of `stbl`; `moov` must follow `mdat` (as mp4v2 writes it), so no chunk offset moves.
 */
export function addSyncSampleTable(bytes: Uint8Array): Uint8Array {
  const all = mp4Walk(bytes);
  const find = (type: string) => all.find((b) => b.type === type);
  const [moov, mdat, stbl, stsz, stsc, stco] = ['moov', 'mdat', 'stbl', 'stsz', 'stsc', 'stco'].map(find);
  if (!moov || !mdat || !stbl || !stsz || !stsc || !stco) throw new Error('mp4: expected one video track with stsz, stsc and stco');
  if (find('stss')) return bytes;
  if (moov.start < mdat.start) throw new Error('mp4: moov before mdat; adding stss would move the chunk offsets');
  const sync: number[] = [];
  sampleOffsets(bytes, stsz, stsc, stco).forEach((s, i) => {
    for (let at = s.offset; at + 4 < s.offset + s.size; ) {
      const len = u32(bytes, at);
      if ((bytes[at + 4] & 0x1f) === 5) {
        sync.push(i + 1);
        break;
      }
      at += 4 + len;
    }
  });
  const stss = new Uint8Array(16 + 4 * sync.length);
  putU32(stss, 0, stss.length);
  stss.set([0x73, 0x74, 0x73, 0x73], 4);
  putU32(stss, 12, sync.length);
  sync.forEach((n, i) => putU32(stss, 16 + 4 * i, n));
  const insertAt = stbl.start + stbl.size;
  const out = new Uint8Array(bytes.length + stss.length);
  out.set(bytes.subarray(0, insertAt));
  out.set(stss, insertAt);
  out.set(bytes.subarray(insertAt), insertAt + stss.length);
  // Every box that contains stbl grows by the table's size (32-bit sizes: these boxes are small).
  for (const b of all) {
    if (b.start <= stbl.start && b.start + b.size >= stbl.start + stbl.size && b.header === 8) putU32(out, b.start, b.size + stss.length);
  }
  return out;
}
