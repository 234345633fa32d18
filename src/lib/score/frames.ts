/**
 * Frames as the scorer needs them: flat Float32Arrays per column plus each row's episode and frame index, rows
 * grouped by episode in frame order. Built from an Arrow table (what DuckDB returns) or directly from arrays.
 */
import type { Table } from 'apache-arrow';

/** A numeric per-frame column: `dims` values per row, row-major. */
export interface FrameColumn {
  dims: number;
  values: Float32Array;
}

/** Rows of frames, sorted by (episode, frame). */
export interface FrameBlock {
  length: number;
  episode: Int32Array;
  frame: Int32Array;
  columns: Record<string, FrameColumn>;
}

/** Rows [start, end) of one episode in a {@link FrameBlock}. */
export interface EpisodeRange {
  episode: number;
  start: number;
  end: number;
}

/** Episode ranges of a block; throws when rows are not grouped by episode in increasing frame order. */
export function episodeRanges(block: FrameBlock): EpisodeRange[] {
  const out: EpisodeRange[] = [];
  const { episode, frame, length } = block;
  let start = 0;
  for (let i = 1; i <= length; i++) {
    if (i === length || episode[i] !== episode[i - 1]) {
      out.push({ episode: episode[start], start, end: i });
      start = i;
    } else if (frame[i] <= frame[i - 1]) {
      throw new Error(`frames must be ordered by episode_index, frame_index (episode ${episode[i]}: frame ${frame[i]} after ${frame[i - 1]}).`);
    }
  }
  const seen = new Set<number>();
  for (const r of out) {
    if (seen.has(r.episode)) throw new Error(`frames must be ordered by episode_index, frame_index (episode ${r.episode} appears in two runs).`);
    seen.add(r.episode);
  }
  return out;
}

/** The flat values and per-row width of a numeric Arrow column (scalar, FixedSizeList or List of numbers). */
function columnValues(table: Table, name: string): FrameColumn {
  const col = table.getChild(name);
  if (!col) throw new Error(`frames have no column \`${name}\` (columns: ${table.schema.fields.map((f) => f.name).join(', ')}).`);
  const n = table.numRows;
  const typeId = col.type.typeId;
  // Arrow Type ids: FixedSizeList = 16, List = 12; anything else is read as a scalar per row.
  if (typeId === 16 || typeId === 12) {
    let dims = typeId === 16 ? (col.type as { listSize: number }).listSize : -1;
    const parts: Float32Array[] = [];
    for (const data of col.data) {
      const child = data.children[0];
      if (typeId === 12) {
        const off = data.valueOffsets as Int32Array;
        for (let r = 0; r < data.length; r++) {
          const w = off[data.offset + r + 1] - off[data.offset + r];
          if (dims === -1) dims = w;
          else if (w !== dims) throw new Error(`column \`${name}\` has lists of different lengths (${dims} and ${w}); scoring needs a fixed width.`);
        }
        const from = off[data.offset] + child.offset;
        parts.push(Float32Array.from(child.values.subarray(from, from + data.length * Math.max(dims, 0)) as ArrayLike<number>));
      } else {
        const from = (data.offset + child.offset / dims) * dims;
        parts.push(Float32Array.from(child.values.subarray(from, from + data.length * dims) as ArrayLike<number>));
      }
      if (data.nullCount > 0 || child.nullCount > 0) throw new Error(`column \`${name}\` has nulls; scoring needs every value.`);
    }
    const values = new Float32Array(n * Math.max(dims, 0));
    let o = 0;
    for (const p of parts) {
      values.set(p, o);
      o += p.length;
    }
    return { dims: Math.max(dims, 0), values };
  }
  const values = new Float32Array(n);
  let o = 0;
  for (const data of col.data) {
    if (data.nullCount > 0) throw new Error(`column \`${name}\` has nulls; scoring needs every value.`);
    for (let r = 0; r < data.length; r++) values[o++] = Number(data.values[data.offset + r]);
  }
  return { dims: 1, values };
}

function intColumn(table: Table, name: string): Int32Array {
  const col = table.getChild(name);
  if (!col) throw new Error(`frames need an \`${name}\` column.`);
  const out = new Int32Array(table.numRows);
  let o = 0;
  for (const data of col.data) for (let r = 0; r < data.length; r++) out[o++] = Number(data.values[data.offset + r]);
  return out;
}

/** A {@link FrameBlock} of the given columns of an Arrow table with `episode_index` and `frame_index`. */
export function framesFromArrow(table: Table, columns: string[]): FrameBlock {
  const block: FrameBlock = {
    length: table.numRows,
    episode: intColumn(table, 'episode_index'),
    frame: intColumn(table, 'frame_index'),
    columns: {},
  };
  for (const c of columns) block.columns[c] = columnValues(table, c);
  return block;
}

/** Row of (episode, frame) in a block, or -1. `ranges` from {@link episodeRanges}. */
export function rowOf(block: FrameBlock, ranges: Map<number, EpisodeRange>, episode: number, frame: number): number {
  const r = ranges.get(episode);
  if (!r) return -1;
  // Frames are usually 0…len−1, so try the direct offset before searching.
  const guess = r.start + frame - block.frame[r.start];
  if (guess >= r.start && guess < r.end && block.frame[guess] === frame) return guess;
  let lo = r.start;
  let hi = r.end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (block.frame[mid] === frame) return mid;
    if (block.frame[mid] < frame) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Numeric per-frame columns of an Arrow table and their widths (for mapping validation). */
export function numericColumns(table: Table): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of table.schema.fields) {
    if (f.name === 'episode_index' || f.name === 'frame_index') continue;
    const t = f.type;
    // Arrow Type ids: Int = 2, Float = 3, Decimal = 7, List = 12, FixedSizeList = 16.
    if (t.typeId === 2 || t.typeId === 3) out[f.name] = 1;
    else if (t.typeId === 16 && [2, 3].includes((t as { children: { type: { typeId: number } }[] }).children[0].type.typeId)) {
      out[f.name] = (t as { listSize: number }).listSize;
    } else if (t.typeId === 12 && [2, 3].includes((t as { children: { type: { typeId: number } }[] }).children[0].type.typeId)) {
      const first = table.getChild(f.name)?.get(0) as { length: number } | null;
      if (first) out[f.name] = first.length;
    }
  }
  return out;
}
