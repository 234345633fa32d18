import { CancelledError } from '../util/errors';
import { chunkRecords, walkChunk } from './chunk';
import { describeBadMagic, hasMagic, MAGIC, McapRecordError, Opcode, parseRecordContent, recordPrefix } from './records';
import type { McapReadable } from './readable';
import { McapFormatError, type McapSink, type ReadOptions } from './types';

/** How much of the file a streamed read fetches at a time. */
const PIECE = 8 * 1024 * 1024;

/** What a front-to-back read saw. */
export interface StreamOutcome {
  messages: number;
  /** True when the file ended with a footer and the closing magic. */
  complete: boolean;
  /** Damage found and what it cost, in words. */
  problems: string[];
}

const ns = (t: bigint) => `${t} ns`;

/**
 * Reads an MCAP file front to back, record by record: the only way to read a file without a summary (a recording
 * that crashed) and the fallback for a damaged one. Keeps everything that is intact: a chunk that fails its CRC
 * or does not decompress is skipped with a note and reading goes on; a truncated file keeps every complete record
 * and says what the cut-off tail held.
 */
export async function streamMcap(readable: McapReadable, sink: McapSink, opts: ReadOptions = {}): Promise<StreamOutcome> {
  const size = await readable.size();
  const problems: string[] = [];
  const validate = opts.validateCrcs ?? true;
  let buf = await readable.read(0, Math.min(size, PIECE));
  let bufStart = 0;
  if (size === 0) throw new McapFormatError(`${readable.label} is empty (0 bytes): not an MCAP file.`);
  if (!hasMagic(buf)) throw new McapFormatError(`${readable.label}: ${describeBadMagic(buf)}`);
  let pos = MAGIC.length;
  let messages = 0;
  let complete = false;
  const countingSink = (ch: number, seq: number, lt: bigint, pt: bigint, data: Uint8Array) => {
    messages++;
    sink.message(ch, seq, lt, pt, data);
  };

  /** Makes sure [pos, pos + n) is in `buf`; false at the end of the file. */
  async function ensure(n: number): Promise<boolean> {
    const have = bufStart + buf.length;
    if (pos + n <= have) return true;
    if (have >= size) return false;
    const keepFrom = pos - bufStart;
    const want = Math.min(size, Math.max(pos + n, have + PIECE));
    const more = await readable.read(have, want - have);
    const next = new Uint8Array(buf.length - keepFrom + more.length);
    next.set(buf.subarray(keepFrom));
    next.set(more, buf.length - keepFrom);
    buf = next;
    bufStart = pos;
    return pos + n <= bufStart + buf.length;
  }

  for (;;) {
    if (opts.signal?.aborted) throw new CancelledError('Reading the MCAP file was cancelled');
    if (!(await ensure(9))) {
      if (pos < size) problems.push(truncated(readable.label, size, pos, null, messages));
      else problems.push(`${readable.label} ends after ${size} bytes without a footer: it was cut off at a record boundary (the recording may have crashed); every record up to there was read (${messages} messages).`);
      break;
    }
    let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const pre = recordPrefix(view, pos - bufStart)!;
    if (!(await ensure(9 + pre.length))) {
      view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      problems.push(truncated(readable.label, size, pos, { opcode: pre.opcode, length: pre.length, view, at: pos - bufStart }, messages));
      break;
    }
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const start = pos - bufStart + 9;
    const end = start + pre.length;
    const recordAt = pos;
    pos += 9 + pre.length;
    opts.onProgress?.(pos, size);
    try {
      if (pre.opcode === Opcode.CHUNK) {
        const { header, records } = chunkRecords(view, start, end, validate);
        try {
          walkChunk(records, countingSink, (r) => sink.record?.(r));
        } catch (e) {
          throw new McapRecordError(`${(e as Error).message}; the chunk's messages logged ${ns(header.messageStartTime)}–${ns(header.messageEndTime)} after that point were skipped`);
        }
        await opts.onBatchEnd?.();
      } else if (pre.opcode === Opcode.MESSAGE) {
        const r = parseRecordContent(pre.opcode, view, start, end);
        if (r.type === 'Message') countingSink(r.channelId, r.sequence, r.logTime, r.publishTime, r.data);
      } else {
        const r = parseRecordContent(pre.opcode, view, start, end, validate);
        sink.record?.(r);
        if (r.type === 'Footer') {
          complete = (await ensure(MAGIC.length)) && hasMagic(buf.subarray(pos - bufStart));
          if (!complete) problems.push(`${readable.label} has a footer but not the closing magic bytes after it.`);
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof McapRecordError)) throw e;
      const what = pre.opcode === Opcode.CHUNK ? 'chunk' : `record (opcode 0x${pre.opcode.toString(16)})`;
      problems.push(`The ${what} at byte ${recordAt} of ${readable.label} is damaged and was skipped: ${e.message}. Everything else was read.`);
    }
  }
  return { messages, complete, problems };
}

/** Says what a file cut off inside a record lost. */
function truncated(
  label: string,
  size: number,
  at: number,
  partial: { opcode: number; length: number; view: DataView; at: number } | null,
  kept: number,
): string {
  const lost = size - at;
  let what = `${lost} trailing bytes`;
  if (partial) {
    const have = lost - 9;
    if (partial.opcode === Opcode.CHUNK) {
      const times = have >= 16 ? ` with messages logged ${ns(partial.view.getBigUint64(partial.at + 9, true))}–${ns(partial.view.getBigUint64(partial.at + 17, true))}` : '';
      what = `an incomplete chunk (${have} of ${partial.length} bytes present)${times}`;
    } else {
      what = `an incomplete ${partial.opcode === Opcode.MESSAGE ? 'message' : `record (opcode 0x${partial.opcode.toString(16)})`} (${have} of ${partial.length} bytes present)`;
    }
  }
  return `${label} is truncated: it ends at byte ${size} inside ${what}, and has no summary or footer. Kept every complete record before it (${kept} messages); lost ${what.replace(/^an? /, 'the ')}.`;
}
