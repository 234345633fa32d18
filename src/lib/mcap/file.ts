import type { MetadataIndex } from '@mcap/core';
import type { MessageFn } from './chunk';
import { openIndexed, readIndexedMessages, readIndexedMetadata } from './indexed';
import { describeBadMagic, hasMagic, McapRecordError, Opcode } from './records';
import { readIndexedRecord } from './summary';
import type { McapReadable } from './readable';
import { streamMcap } from './stream';
import { McapFormatError, type Attachment, type AttachmentIndex, type Metadata, type McapSummary, type ReadOptions, type Statistics } from './types';

/** An attachment as listed: its data only when it was small enough to read. */
export interface AttachmentInfo extends Omit<AttachmentIndex, 'offset' | 'length'> {
  data: Uint8Array | null;
}

/** Options for {@link openMcapFile}. */
export interface OpenOptions extends ReadOptions {
  /**
   * Where messages go when the file must be read front to back (no usable summary): they are read during
   * opening then, and {@link McapFile.streamed} is true. Called once with the summary as it is being filled
   * (its schemas and channels are known before their messages arrive).
   */
  streamedMessages?: (live: McapSummary) => MessageFn;
  /** Attachments up to this size are read into `attachments()` (default 1 MiB); larger ones are listed only. */
  maxAttachmentBytes?: number;
}

/** One opened MCAP file. */
export interface McapFile {
  summary: McapSummary;
  /** True when opening read the whole file (and so every message) front to back. */
  streamed: boolean;
  metadata(): Promise<Metadata[]>;
  attachments(): Promise<AttachmentInfo[]>;
  /**
   * Messages of the channels in `wanted` (all when null), through the chunk index: only the chunks (or, for
   * uncompressed chunks, only the messages) that hold them are read. Problems are added to `summary.problems`.
   */
  readMessages(wanted: ReadonlySet<number> | null, onMessage: MessageFn, opts?: ReadOptions): Promise<number>;
}

/**
 * Opens an MCAP file: through its summary when it has a usable one (remote files then fetch the footer and
 * summary, and later only the chunks a query needs), else front to back, keeping whatever is intact.
 * Throws McapFormatError when the file is not MCAP at all.
 */
export async function openMcapFile(readable: McapReadable, opts: OpenOptions = {}): Promise<McapFile> {
  const maxAttachment = opts.maxAttachmentBytes ?? 1024 * 1024;
  let why: string;
  let damaged = false;
  try {
    const { summary, metadataIndexes, gap } = await openIndexed(readable);
    if (!gap) return indexedFile(readable, summary, metadataIndexes, maxAttachment);
    why = gap;
  } catch (e) {
    why = (e as Error).message;
    damaged = !/not indexed/.test(why);
  }
  const head = await readable.read(0, 8);
  if (!hasMagic(head)) throw new McapFormatError(`${readable.label}: ${describeBadMagic(head)}`);
  return streamedFile(readable, damaged ? why : null, opts, maxAttachment);
}

function indexedFile(readable: McapReadable, summary: McapSummary, metadataIndexes: MetadataIndex[], maxAttachment: number): McapFile {
  return {
    summary,
    streamed: false,
    metadata: () => readIndexedMetadata(readable, metadataIndexes),
    async attachments() {
      const out: AttachmentInfo[] = [];
      for (const a of summary.attachmentIndexes) {
        let data: Uint8Array | null = null;
        if (a.dataSize <= BigInt(maxAttachment)) {
          // The record the index points at, with its CRC checked; a damaged one is listed without data.
          try {
            const r = await readIndexedRecord(readable, a.offset, a.length, Opcode.ATTACHMENT);
            if (r.type === 'Attachment') data = r.data.slice();
          } catch (e) {
            if (!(e instanceof McapRecordError)) throw e;
            summary.problems.push(`The attachment "${a.name}" of ${summary.label} could not be read: ${e.message}.`);
          }
        }
        out.push({ name: a.name, mediaType: a.mediaType, logTime: a.logTime, createTime: a.createTime, dataSize: a.dataSize, data });
      }
      return out;
    },
    async readMessages(wanted, onMessage, opts) {
      const r = await readIndexedMessages(readable, summary, wanted, onMessage, opts);
      summary.problems.push(...r.problems);
      return r.messages;
    },
  };
}

/** `damage`: why the summary could not be used, when that is damage (a summary the writer left out or left partial is not). */
async function streamedFile(readable: McapReadable, damage: string | null, opts: OpenOptions, maxAttachment: number): Promise<McapFile> {
  const summary: McapSummary = {
    label: readable.label,
    size: await readable.size(),
    header: { profile: '', library: '' },
    mode: 'streamed',
    schemas: new Map(),
    channels: new Map(),
    statistics: null,
    chunkIndexes: [],
    attachmentIndexes: [],
    problems: [],
  };
  const metadata: Metadata[] = [];
  const attachments: AttachmentInfo[] = [];
  const onMessage = opts.streamedMessages?.(summary) ?? (() => undefined);
  const outcome = await streamMcap(
    readable,
    {
      message: onMessage,
      record(r) {
        if (r.type === 'Header') summary.header = { profile: r.profile, library: r.library };
        else if (r.type === 'Schema') summary.schemas.set(r.id, { id: r.id, name: r.name, encoding: r.encoding, data: r.data.slice() });
        else if (r.type === 'Channel') summary.channels.set(r.id, { id: r.id, schemaId: r.schemaId, topic: r.topic, messageEncoding: r.messageEncoding, metadata: r.metadata });
        else if (r.type === 'Statistics') summary.statistics = r as Statistics;
        else if (r.type === 'Metadata') metadata.push({ name: r.name, metadata: r.metadata });
        else if (r.type === 'Attachment') attachments.push(attachmentInfo(r, maxAttachment));
      },
    },
    opts,
  );
  // A complete file without a (full) summary is normal (the writer was told not to index); say so only for damage.
  if (damage && !outcome.problems.length) summary.problems.push(`${readable.label}: the summary could not be used (${damage}); the file was read front to back.`);
  summary.problems.push(...outcome.problems);
  return {
    summary,
    streamed: true,
    metadata: async () => metadata,
    attachments: async () => attachments,
    async readMessages(wanted, fn, o) {
      const r = await streamMcap(readable, { message: (ch, ...rest) => (!wanted || wanted.has(ch)) && fn(ch, ...rest) }, o);
      return r.messages;
    },
  };
}

function attachmentInfo(a: Attachment, max: number): AttachmentInfo {
  return { name: a.name, mediaType: a.mediaType, logTime: a.logTime, createTime: a.createTime, dataSize: BigInt(a.data.length), data: a.data.length <= max ? a.data.slice() : null };
}
