import type { AttachmentIndex, ChunkIndex, Header, MetadataIndex, Schema, Channel, Statistics } from '@mcap/core';
import { crc32 } from './crc32';
import { describeBadMagic, hasMagic, MAGIC, McapRecordError, Opcode, parseRecordContent, recordPrefix } from './records';
import type { McapReadable } from './readable';

/** Footer record (opcode, length, two u64 offsets, CRC) and the closing magic: the fixed tail of every MCAP file. */
const FOOTER_AND_MAGIC = 9 + 20 + MAGIC.length;
/** Magic, Header prefix (opcode and length), the two empty strings' lengths, and the tail: the smallest MCAP file. */
const MIN_SIZE = MAGIC.length + 9 + 8 + FOOTER_AND_MAGIC;
/** The first read: magic and, almost always, the whole header record. */
const HEAD_BYTES = 4096;

/** What a file's summary section holds. */
export interface SummarySection {
  header: Header;
  schemas: Map<number, Schema>;
  channels: Map<number, Channel>;
  statistics: Statistics | null;
  chunkIndexes: ChunkIndex[];
  attachmentIndexes: AttachmentIndex[];
  metadataIndexes: MetadataIndex[];
}

/**
 * Reads a file's header, footer and summary section: three small reads, no message data.
 *
 * Written here instead of using `@mcap/core`'s McapIndexedReader because that reader assumes the Data End record
 * right before the summary has no extra bytes (it reads it at `summary_start - 13`). The spec lets every record
 * carry bytes after its fields that a reader skips, and the conformance suite's `-pad` files do this to Data End,
 * so the library misreads them ("Record content length … is too large"). Here nothing before `summary_start` is
 * read, and every record is parsed by its own length prefix, so padding anywhere is skipped.
 *
 * Throws an Error in words when the file has no usable summary (its message says "not indexed" when the writer
 * simply did not write one, which is normal); the caller then reads the file front to back.
 */
export async function readSummarySection(readable: McapReadable): Promise<SummarySection> {
  const size = await readable.size();
  if (size < MIN_SIZE) throw new McapRecordError(`the file is ${size} bytes, too small to hold a header and a footer`);
  // One read for magic and header (a header is a few dozen bytes: profile and library names).
  const head = await readable.read(0, Math.min(size - FOOTER_AND_MAGIC, HEAD_BYTES));
  if (!hasMagic(head)) throw new McapRecordError(describeBadMagic(head));
  const headView = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerPrefix = recordPrefix(headView, MAGIC.length)!;
  if (headerPrefix.opcode !== Opcode.HEADER) throw new McapRecordError(`the file does not start with a header record (opcode 0x${headerPrefix.opcode.toString(16)})`);
  if (MAGIC.length + 9 + headerPrefix.length > size - FOOTER_AND_MAGIC) throw new McapRecordError('the header record runs into the footer');
  const headerEnd = MAGIC.length + 9 + headerPrefix.length;
  const headerBytes = headerEnd <= head.length ? head.slice(MAGIC.length + 9, headerEnd) : await readable.read(MAGIC.length + 9, headerPrefix.length);
  const header = parseRecordContent(Opcode.HEADER, view(headerBytes), 0, headerBytes.length);
  if (header.type !== 'Header') throw new McapRecordError('the header record does not parse');

  const tail = await readable.read(size - FOOTER_AND_MAGIC, FOOTER_AND_MAGIC);
  if (!hasMagic(tail.subarray(29))) throw new McapRecordError('the file does not end with the closing magic bytes (it may be truncated)');
  const tailView = view(tail);
  // The footer is found by its fixed size from the end, so it is the one record that cannot be padded.
  if (tailView.getUint8(0) !== Opcode.FOOTER || tailView.getBigUint64(1, true) !== 20n) throw new McapRecordError('there is no footer record before the closing magic bytes');
  const footer = parseRecordContent(Opcode.FOOTER, tailView, 9, 29);
  if (footer.type !== 'Footer') throw new McapRecordError('the footer record does not parse');
  if (footer.summaryStart === 0n) throw new McapRecordError('the file is not indexed (its writer wrote no summary)');
  const summaryStart = Number(footer.summaryStart);
  const footerAt = size - FOOTER_AND_MAGIC;
  if (summaryStart < MAGIC.length + 9 + headerPrefix.length || summaryStart > footerAt) {
    throw new McapRecordError(`the footer's summary start (${footer.summaryStart}) is outside the file's data (${MAGIC.length + 9 + headerPrefix.length}–${footerAt})`);
  }

  const bytes = await readable.read(summaryStart, footerAt - summaryStart);
  if (footer.summaryCrc !== 0) {
    // The CRC covers the summary section and the footer up to (not including) its CRC field.
    const actual = crc32(tail.subarray(0, 25), crc32(bytes));
    if (actual !== footer.summaryCrc) throw new McapRecordError(`the summary fails its CRC check (stored ${footer.summaryCrc}, computed ${actual})`);
  }
  const out: SummarySection = {
    header: { profile: header.profile, library: header.library },
    schemas: new Map(),
    channels: new Map(),
    statistics: null,
    chunkIndexes: [],
    attachmentIndexes: [],
    metadataIndexes: [],
  };
  const v = view(bytes);
  for (let pos = 0; pos < bytes.length; ) {
    const pre = recordPrefix(v, pos);
    if (!pre || pos + 9 + pre.length > bytes.length) throw new McapRecordError(`a record in the summary (at byte ${summaryStart + pos}) runs past the footer`);
    const r = parseRecordContent(pre.opcode, v, pos + 9, pos + 9 + pre.length);
    pos += 9 + pre.length;
    switch (r.type) {
      case 'Schema':
        out.schemas.set(r.id, { ...r, data: r.data.slice() });
        break;
      case 'Channel':
        out.channels.set(r.id, r);
        break;
      case 'ChunkIndex':
        out.chunkIndexes.push(r);
        break;
      case 'AttachmentIndex':
        out.attachmentIndexes.push(r);
        break;
      case 'MetadataIndex':
        out.metadataIndexes.push(r);
        break;
      case 'Statistics':
        if (out.statistics) throw new McapRecordError('the summary holds two statistics records');
        out.statistics = r;
        break;
      case 'SummaryOffset':
      case 'DataEnd':
      case 'Unknown':
        // Offsets only speed up finding a group (the whole section is read anyway); unknown opcodes are skipped.
        break;
      default:
        throw new McapRecordError(`a ${r.type} record is in the summary section, where it is not allowed`);
    }
  }
  return out;
}

/**
 * Why a summary that was read fine still does not describe the whole file, or null when it does. Writers may
 * leave out any part of the summary (the conformance suite's variants leave out each in turn); a summary that
 * does not lead to every message, channel, schema, attachment and metadata record means the file must be read
 * front to back to show all of it. Not damage: the file is valid.
 */
export function summaryGap(s: SummarySection): string | null {
  const st = s.statistics;
  if (!s.chunkIndexes.length && (st?.messageCount ?? 1n) > 0n) return 'its messages are not in indexed chunks';
  if (s.chunkIndexes.length && !s.channels.size) return 'its summary lists no channels';
  if (st && st.channelCount > s.channels.size) return `its summary lists ${s.channels.size} of its ${st.channelCount} channels`;
  for (const c of s.channels.values()) if (c.schemaId !== 0 && !s.schemas.has(c.schemaId)) return `its summary lacks the schema of channel ${c.topic}`;
  for (const ci of s.chunkIndexes) for (const id of ci.messageIndexOffsets.keys()) if (!s.channels.has(id)) return `its summary lacks channel ${id}`;
  if (st && st.attachmentCount > s.attachmentIndexes.length) return `its summary indexes ${s.attachmentIndexes.length} of its ${st.attachmentCount} attachments`;
  if (st && st.metadataCount > s.metadataIndexes.length) return `its summary indexes ${s.metadataIndexes.length} of its ${st.metadataCount} metadata records`;
  return null;
}

/**
 * Reads the record an index entry points at (`offset`, `length` cover the whole record) and parses it, checking
 * it is of the `expected` opcode. Attachments have their CRC checked.
 */
export async function readIndexedRecord(readable: McapReadable, offset: bigint, length: bigint, expected: number, validateCrcs = true) {
  const bytes = await readable.read(Number(offset), Number(length));
  const v = view(bytes);
  const pre = recordPrefix(v, 0);
  if (!pre || pre.opcode !== expected || 9 + pre.length > bytes.length) {
    throw new McapRecordError(`the index entry at byte ${offset} does not point at a record of opcode 0x${expected.toString(16)}`);
  }
  return parseRecordContent(pre.opcode, v, 9, 9 + pre.length, validateCrcs);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
