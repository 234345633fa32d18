import type { TypedMcapRecord } from '@mcap/core';
import { crc32 } from './crc32';
import { decompressChunk } from './decompress';
import { McapRecordError, Opcode, parseRecordContent, recordPrefix } from './records';

/** Receives messages without allocating a record object per message (the hot path of ingest). */
export type MessageFn = (channelId: number, sequence: number, logTime: bigint, publishTime: bigint, data: Uint8Array) => void;

/** A chunk record's fixed fields, and where its records are in the buffer it was parsed from. */
export interface ChunkHeader {
  messageStartTime: bigint;
  messageEndTime: bigint;
  uncompressedSize: number;
  uncompressedCrc: number;
  compression: string;
  /** Offset of the (compressed) records within the chunk record's content. */
  recordsOffset: number;
  recordsLength: number;
}

const utf8 = new TextDecoder();

/** Parses the fixed fields of a Chunk record whose content starts at `start` of `view`. */
export function parseChunkHeader(view: DataView, start: number, end: number): ChunkHeader {
  if (start + 32 > end) throw new McapRecordError('a chunk record is shorter than its fixed fields');
  const compLen = view.getUint32(start + 28, true);
  const p = start + 32 + compLen;
  if (p + 8 > end) throw new McapRecordError('a chunk record is shorter than its fixed fields');
  const recordsLength = Number(view.getBigUint64(p, true));
  if (p + 8 + recordsLength > end) throw new McapRecordError(`a chunk's records (${recordsLength} bytes) run past the end of the chunk record`);
  return {
    messageStartTime: view.getBigUint64(start, true),
    messageEndTime: view.getBigUint64(start + 8, true),
    uncompressedSize: Number(view.getBigUint64(start + 16, true)),
    uncompressedCrc: view.getUint32(start + 24, true),
    compression: utf8.decode(new Uint8Array(view.buffer, view.byteOffset + start + 32, compLen)),
    recordsOffset: p + 8 - start,
    recordsLength,
  };
}

/**
 * Decompresses a chunk's records and checks them against the chunk's CRC (0 means "not computed").
 * Throws McapRecordError naming what failed.
 */
export function chunkRecords(view: DataView, start: number, end: number, validateCrc = true): { header: ChunkHeader; records: Uint8Array } {
  const header = parseChunkHeader(view, start, end);
  const raw = new Uint8Array(view.buffer, view.byteOffset + start + header.recordsOffset, header.recordsLength);
  let records: Uint8Array;
  try {
    records = decompressChunk(header.compression, raw, header.uncompressedSize);
  } catch (e) {
    throw new McapRecordError(`a ${header.compression} chunk could not be decompressed: ${(e as Error).message}`);
  }
  if (header.compression === '' && records.length !== header.uncompressedSize) {
    throw new McapRecordError(`an uncompressed chunk holds ${records.length} bytes but says ${header.uncompressedSize}`);
  }
  if (validateCrc && header.uncompressedCrc !== 0) {
    const actual = crc32(records);
    if (actual !== header.uncompressedCrc) {
      throw new McapRecordError(`a chunk fails its CRC check (stored ${header.uncompressedCrc}, computed ${actual})`);
    }
  }
  return { header, records };
}

/**
 * Walks the records inside a chunk: messages go to `onMessage` (no object per message), schemas and channels
 * (allowed inside chunks) to `onRecord`. Returns the number of messages.
 */
export function walkChunk(records: Uint8Array, onMessage: MessageFn, onRecord?: (r: TypedMcapRecord) => void, wanted?: ReadonlySet<number> | null): number {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let pos = 0;
  let n = 0;
  while (pos < records.length) {
    const pre = recordPrefix(view, pos);
    if (!pre || pos + 9 + pre.length > records.length) throw new McapRecordError(`a record inside a chunk runs past the chunk's end (at byte ${pos} of ${records.length})`);
    const start = pos + 9;
    const end = start + pre.length;
    if (pre.opcode === Opcode.MESSAGE) {
      if (pre.length < 22) throw new McapRecordError('a message record is shorter than its fixed fields');
      const channelId = view.getUint16(start, true);
      if (!wanted || wanted.has(channelId)) {
        onMessage(
          channelId,
          view.getUint32(start + 2, true),
          view.getBigUint64(start + 6, true),
          view.getBigUint64(start + 14, true),
          records.subarray(start + 22, end),
        );
        n++;
      }
    } else if (onRecord && (pre.opcode === Opcode.SCHEMA || pre.opcode === Opcode.CHANNEL)) {
      onRecord(parseRecordContent(pre.opcode, view, start, end));
    }
    pos = end;
  }
  return n;
}
