import type { TypedMcapRecord } from '@mcap/core';
import { crc32 } from './crc32';

/** MCAP's magic: `\x89MCAP0\r\n` (the `0` is the major version). */
export const MAGIC = new Uint8Array([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);

/** Record opcodes (spec: "Records"). */
export const Opcode = {
  HEADER: 0x01,
  FOOTER: 0x02,
  SCHEMA: 0x03,
  CHANNEL: 0x04,
  MESSAGE: 0x05,
  CHUNK: 0x06,
  MESSAGE_INDEX: 0x07,
  CHUNK_INDEX: 0x08,
  ATTACHMENT: 0x09,
  ATTACHMENT_INDEX: 0x0a,
  STATISTICS: 0x0b,
  METADATA: 0x0c,
  METADATA_INDEX: 0x0d,
  SUMMARY_OFFSET: 0x0e,
  DATA_END: 0x0f,
} as const;

/** Thrown when a record's content does not parse (a field runs past the record, a CRC does not match). */
export class McapRecordError extends Error {
  override name = 'McapRecordError';
}

const utf8 = new TextDecoder();

/**
 * A cursor over one record's content. Every read is bounds-checked against the record's end, so a corrupt
 * length prefix fails with a message instead of reading into the next record.
 */
class Cursor {
  constructor(
    readonly view: DataView,
    public pos: number,
    readonly end: number,
  ) {}
  #need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new McapRecordError(`${what} runs past the end of its record`);
  }
  u8(): number {
    this.#need(1, 'a u8 field');
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.#need(2, 'a u16 field');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.#need(4, 'a u32 field');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.#need(8, 'a u64 field');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(n: number, what = 'a bytes field'): Uint8Array {
    this.#need(n, what);
    const b = new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n);
    this.pos += n;
    return b;
  }
  string(): string {
    return utf8.decode(this.bytes(this.u32(), 'a string'));
  }
  /** A u32-byte-length-prefixed map of string to string. */
  stringMap(): Map<string, string> {
    const end = this.pos + 4 + this.u32();
    const m = new Map<string, string>();
    while (this.pos < end) m.set(this.string(), this.string());
    return m;
  }
}

/** Reads the 9-byte record prefix at `offset`: opcode and content length (null when fewer than 9 bytes remain). */
export function recordPrefix(view: DataView, offset: number): { opcode: number; length: number } | null {
  if (offset + 9 > view.byteLength) return null;
  const length = view.getBigUint64(offset + 1, true);
  return { opcode: view.getUint8(offset), length: length > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(length) };
}

/**
 * Parses the record whose content spans `[start, end)` of `view`. Unknown trailing fields are ignored and unknown
 * opcodes returned as `Unknown`, as the spec asks. Byte fields are views into `view` (copy them to keep them).
 */
export function parseRecordContent(opcode: number, view: DataView, start: number, end: number, validateCrcs = true): TypedMcapRecord {
  const c = new Cursor(view, start, end);
  switch (opcode) {
    case Opcode.HEADER:
      return { type: 'Header', profile: c.string(), library: c.string() };
    case Opcode.FOOTER:
      return { type: 'Footer', summaryStart: c.u64(), summaryOffsetStart: c.u64(), summaryCrc: c.u32() };
    case Opcode.SCHEMA: {
      const id = c.u16();
      const name = c.string();
      const encoding = c.string();
      return { type: 'Schema', id, name, encoding, data: c.bytes(c.u32(), 'schema data') };
    }
    case Opcode.CHANNEL:
      return { type: 'Channel', id: c.u16(), schemaId: c.u16(), topic: c.string(), messageEncoding: c.string(), metadata: c.stringMap() };
    case Opcode.MESSAGE: {
      const channelId = c.u16();
      const sequence = c.u32();
      const logTime = c.u64();
      const publishTime = c.u64();
      return { type: 'Message', channelId, sequence, logTime, publishTime, data: c.bytes(end - c.pos) };
    }
    case Opcode.CHUNK: {
      const messageStartTime = c.u64();
      const messageEndTime = c.u64();
      const uncompressedSize = c.u64();
      const uncompressedCrc = c.u32();
      const compression = c.string();
      const records = c.bytes(Number(c.u64()), 'chunk records');
      return { type: 'Chunk', messageStartTime, messageEndTime, uncompressedSize, uncompressedCrc, compression, records };
    }
    case Opcode.MESSAGE_INDEX: {
      const channelId = c.u16();
      const recEnd = c.pos + 4 + c.u32();
      const records: [bigint, bigint][] = [];
      while (c.pos < recEnd) records.push([c.u64(), c.u64()]);
      return { type: 'MessageIndex', channelId, records };
    }
    case Opcode.CHUNK_INDEX: {
      const messageStartTime = c.u64();
      const messageEndTime = c.u64();
      const chunkStartOffset = c.u64();
      const chunkLength = c.u64();
      const mapEnd = c.pos + 4 + c.u32();
      const messageIndexOffsets = new Map<number, bigint>();
      while (c.pos < mapEnd) messageIndexOffsets.set(c.u16(), c.u64());
      const messageIndexLength = c.u64();
      const compression = c.string();
      return {
        type: 'ChunkIndex',
        messageStartTime,
        messageEndTime,
        chunkStartOffset,
        chunkLength,
        messageIndexOffsets,
        messageIndexLength,
        compression,
        compressedSize: c.u64(),
        uncompressedSize: c.u64(),
      };
    }
    case Opcode.ATTACHMENT: {
      const crcStart = c.pos;
      const logTime = c.u64();
      const createTime = c.u64();
      const name = c.string();
      const mediaType = c.string();
      const data = c.bytes(Number(c.u64()), 'attachment data');
      const crcEnd = c.pos;
      const crc = c.u32();
      if (validateCrcs && crc !== 0) {
        const actual = crc32(new Uint8Array(view.buffer, view.byteOffset + crcStart, crcEnd - crcStart));
        if (actual !== crc) throw new McapRecordError(`attachment "${name}" fails its CRC check (stored ${crc}, computed ${actual})`);
      }
      return { type: 'Attachment', logTime, createTime, name, mediaType, data };
    }
    case Opcode.ATTACHMENT_INDEX:
      return {
        type: 'AttachmentIndex',
        offset: c.u64(),
        length: c.u64(),
        logTime: c.u64(),
        createTime: c.u64(),
        dataSize: c.u64(),
        name: c.string(),
        mediaType: c.string(),
      };
    case Opcode.STATISTICS: {
      const messageCount = c.u64();
      const schemaCount = c.u16();
      const channelCount = c.u32();
      const attachmentCount = c.u32();
      const metadataCount = c.u32();
      const chunkCount = c.u32();
      const messageStartTime = c.u64();
      const messageEndTime = c.u64();
      const mapEnd = c.pos + 4 + c.u32();
      const channelMessageCounts = new Map<number, bigint>();
      while (c.pos < mapEnd) channelMessageCounts.set(c.u16(), c.u64());
      return { type: 'Statistics', messageCount, schemaCount, channelCount, attachmentCount, metadataCount, chunkCount, messageStartTime, messageEndTime, channelMessageCounts };
    }
    case Opcode.METADATA:
      return { type: 'Metadata', name: c.string(), metadata: c.stringMap() };
    case Opcode.METADATA_INDEX:
      return { type: 'MetadataIndex', offset: c.u64(), length: c.u64(), name: c.string() };
    case Opcode.SUMMARY_OFFSET:
      return { type: 'SummaryOffset', groupOpcode: c.u8(), groupStart: c.u64(), groupLength: c.u64() };
    case Opcode.DATA_END:
      return { type: 'DataEnd', dataSectionCrc: c.u32() };
    default:
      return { type: 'Unknown', opcode, data: c.bytes(end - start) };
  }
}

/** Whether `bytes` starts with MCAP's magic. */
export function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Why `bytes` (a file's first bytes) are not MCAP's magic, in words. A `\r\n` rewritten to `\n` (a checkout or
 * transfer in text mode) is the commonest damage, and is named as such.
 */
export function describeBadMagic(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const prefix = bytes[0] === 0x89 && bytes[1] === 0x4d && bytes[2] === 0x43 && bytes[3] === 0x41 && bytes[4] === 0x50;
  if (prefix && bytes[5] === 0x30 && bytes[6] === 0x0a) {
    return `This file starts like MCAP but its magic bytes end "0\\n" instead of "0\\r\\n" (${head}): its line endings were converted (CRLF → LF), e.g. by a text-mode transfer or git's autocrlf. That damages the binary data too; get an unconverted copy.`;
  }
  if (prefix && bytes[5] === 0x30 && bytes[6] === 0x0d && bytes[7] === 0x0d) {
    return `This file's magic bytes end "\\r\\r\\n" (${head}): its line endings were converted (LF → CRLF) by a text-mode transfer. That damages the binary data too; get an unconverted copy.`;
  }
  if (prefix && bytes[5] !== 0x30) return `This is MCAP major version "${String.fromCharCode(bytes[5])}", which this reader does not know (it reads version 0).`;
  return `This is not an MCAP file: it does not start with MCAP's magic bytes (89 4d 43 41 50 30 0d 0a), it starts with ${head || 'nothing (empty file)'}.`;
}
