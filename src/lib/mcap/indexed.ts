import type { ChunkIndex, Metadata, MetadataIndex } from '@mcap/core';
import { CancelledError } from '../util/errors';
import { chunkRecords, walkChunk, type MessageFn } from './chunk';
import { McapRecordError, Opcode, parseRecordContent, recordPrefix } from './records';
import type { McapReadable } from './readable';
import { readIndexedRecord, readSummarySection, summaryGap } from './summary';
import type { McapSummary, ReadOptions } from './types';

/** Reads of adjacent chunks are merged up to this size (fewer round trips; bounded memory). */
const MAX_READ = 16 * 1024 * 1024;
/** Gaps smaller than this between wanted byte ranges are read through rather than split into another request. */
const MERGE_GAP = 64 * 1024;

/**
 * Opens a file through its summary (footer, summary section): no message data is read. Throws when it has none.
 * Returns the metadata index too, which {@link readIndexedMetadata} follows, and what the summary leaves out
 * ({@link summaryGap}).
 */
export async function openIndexed(readable: McapReadable): Promise<{ summary: McapSummary; metadataIndexes: MetadataIndex[]; gap: string | null }> {
  const s = await readSummarySection(readable);
  const summary: McapSummary = {
    label: readable.label,
    size: await readable.size(),
    header: s.header,
    mode: 'indexed',
    schemas: s.schemas,
    channels: s.channels,
    statistics: s.statistics,
    chunkIndexes: [...s.chunkIndexes].sort((a, b) => Number(a.chunkStartOffset - b.chunkStartOffset)),
    attachmentIndexes: s.attachmentIndexes,
    problems: [],
  };
  return { summary, metadataIndexes: s.metadataIndexes, gap: summaryGap(s) };
}

/** Every metadata record, read through the metadata index. */
export async function readIndexedMetadata(readable: McapReadable, indexes: MetadataIndex[]): Promise<Metadata[]> {
  const out: Metadata[] = [];
  for (const i of indexes) {
    const m = await readIndexedRecord(readable, i.offset, i.length, Opcode.METADATA);
    if (m.type === 'Metadata') out.push({ name: m.name, metadata: m.metadata });
  }
  return out;
}

/** One planned read: a byte range and what to do with it. */
type Plan =
  | { kind: 'chunks'; offset: number; length: number; chunks: ChunkIndex[] }
  | { kind: 'partial'; chunk: ChunkIndex };

/**
 * Reads the messages of `wanted` channels (every channel when null) through the chunk index: only chunks that hold
 * them are fetched. An uncompressed chunk that mostly holds other channels (camera frames around an IMU stream) is
 * not fetched whole: its message index says where each message is, and only the wanted messages' bytes are read.
 * A chunk that fails its CRC or does not decompress is skipped with a note in `problems`.
 */
export async function readIndexedMessages(
  readable: McapReadable,
  summary: McapSummary,
  wanted: ReadonlySet<number> | null,
  onMessage: MessageFn,
  opts: ReadOptions = {},
): Promise<{ messages: number; problems: string[] }> {
  const problems: string[] = [];
  const chunks = summary.chunkIndexes.filter((c) => !wanted || c.messageIndexOffsets.size === 0 || [...c.messageIndexOffsets.keys()].some((id) => wanted.has(id)));
  const plans = plan(chunks, wanted);
  const total = plans.reduce((s, p) => s + (p.kind === 'chunks' ? p.length : Number(p.chunk.chunkLength)), 0);
  let done = 0;
  let messages = 0;
  const count: MessageFn = (ch, seq, lt, pt, data) => {
    messages++;
    onMessage(ch, seq, lt, pt, data);
  };
  // One read ahead: the next range downloads while this one decodes.
  const fetchPlan = (p: Plan | undefined) => (p?.kind === 'chunks' ? readable.read(p.offset, p.length) : Promise.resolve(null));
  let next = fetchPlan(plans[0]);
  for (let i = 0; i < plans.length; i++) {
    if (opts.signal?.aborted) throw new CancelledError('Reading the MCAP file was cancelled');
    const p = plans[i];
    const bytes = await next;
    next = fetchPlan(plans[i + 1]);
    if (p.kind === 'partial') {
      await readPartial(readable, p.chunk, wanted!, count, problems);
      done += Number(p.chunk.chunkLength);
    } else {
      const view = new DataView(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength);
      for (const c of p.chunks) {
        const at = Number(c.chunkStartOffset) - p.offset;
        try {
          const pre = recordPrefix(view, at);
          if (!pre || pre.opcode !== Opcode.CHUNK || at + 9 + pre.length > view.byteLength) throw new McapRecordError('the chunk index points at something that is not a chunk');
          const { records } = chunkRecords(view, at + 9, at + 9 + pre.length, opts.validateCrcs ?? true);
          walkChunk(records, count, undefined, wanted);
        } catch (e) {
          if (!(e instanceof McapRecordError)) throw e;
          problems.push(`The chunk at byte ${c.chunkStartOffset} of ${summary.label} (messages logged ${c.messageStartTime}–${c.messageEndTime} ns) is damaged and was skipped: ${e.message}. Every other chunk was read.`);
        }
      }
      done += p.length;
    }
    opts.onProgress?.(done, total);
    await opts.onBatchEnd?.();
  }
  return { messages, problems };
}

/** Groups adjacent whole-chunk reads; marks chunks worth reading message by message. */
function plan(chunks: ChunkIndex[], wanted: ReadonlySet<number> | null): Plan[] {
  const plans: Plan[] = [];
  let cur: Extract<Plan, { kind: 'chunks' }> | null = null;
  for (const c of chunks) {
    if (wanted && c.compression === '' && c.messageIndexLength > 0n && [...c.messageIndexOffsets.keys()].some((id) => !wanted.has(id))) {
      plans.push({ kind: 'partial', chunk: c });
      cur = null;
      continue;
    }
    const start = Number(c.chunkStartOffset);
    const end = start + Number(c.chunkLength);
    if (cur && start >= cur.offset + cur.length && start - (cur.offset + cur.length) <= MERGE_GAP && end - cur.offset <= MAX_READ) {
      cur.length = end - cur.offset;
      cur.chunks.push(c);
    } else {
      cur = { kind: 'chunks', offset: start, length: end - start, chunks: [c] };
      plans.push(cur);
    }
  }
  return plans;
}

/**
 * Reads only the wanted messages of an uncompressed chunk: its message indexes (one small read) give every
 * message's offset in the chunk's records, so each message's extent is known and the wanted ones are fetched in
 * merged ranges. The chunk's CRC covers the whole chunk and cannot be checked this way.
 */
async function readPartial(readable: McapReadable, c: ChunkIndex, wanted: ReadonlySet<number>, onMessage: MessageFn, problems: string[]): Promise<void> {
  const chunkStart = Number(c.chunkStartOffset);
  const idxStart = chunkStart + Number(c.chunkLength);
  const idx = await readable.read(idxStart, Number(c.messageIndexLength));
  const iv = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  const all: { offset: number; channel: number }[] = [];
  for (let p = 0; p < idx.length; ) {
    const pre = recordPrefix(iv, p);
    if (!pre || p + 9 + pre.length > idx.length) break;
    if (pre.opcode === Opcode.MESSAGE_INDEX) {
      const r = parseRecordContent(pre.opcode, iv, p + 9, p + 9 + pre.length);
      if (r.type === 'MessageIndex') for (const [, off] of r.records) all.push({ offset: Number(off), channel: r.channelId });
    }
    p += 9 + pre.length;
  }
  // The records start after the chunk's fixed fields: 9-byte prefix, 8+8+8+4, compression string (empty), u64 length.
  const recordsStart = chunkStart + 9 + 28 + 4 + 8;
  const recordsEnd = recordsStart + Number(c.uncompressedSize);
  all.sort((a, b) => a.offset - b.offset);
  // A merged range runs from one wanted record to the end of another: every record in it is whole, and the
  // unwanted ones read through in a gap are skipped by channel when walking it.
  const ranges: { from: number; to: number }[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!wanted.has(all[i].channel)) continue;
    const from = recordsStart + all[i].offset;
    const to = i + 1 < all.length ? recordsStart + all[i + 1].offset : recordsEnd;
    const last = ranges[ranges.length - 1];
    if (last && from - last.to <= MERGE_GAP) last.to = to;
    else ranges.push({ from, to });
  }
  for (const r of ranges) {
    const bytes = await readable.read(r.from, r.to - r.from);
    try {
      walkChunk(bytes, onMessage, undefined, wanted);
    } catch (e) {
      if (!(e instanceof McapRecordError)) throw e;
      problems.push(`Messages in the chunk at byte ${chunkStart} of ${readable.label} could not be read: ${e.message}.`);
    }
  }
}
