import type { Attachment, AttachmentIndex, Channel, ChunkIndex, Header, Metadata, Schema, Statistics, TypedMcapRecord } from '@mcap/core';
import type { MessageFn } from './chunk';

export type { Attachment, AttachmentIndex, Channel, ChunkIndex, Header, Metadata, Schema, Statistics, TypedMcapRecord, MessageFn };

/** Where a reader sends what it finds. Only `message` is required. */
export interface McapSink {
  message: MessageFn;
  /** Every other record, in file order (schemas, channels, attachments, metadata, statistics, indexes, …). */
  record?(r: TypedMcapRecord): void;
}

/** Progress of reading one file: bytes of it processed so far. */
export type ReadProgress = (done: number, total: number) => void;

/** Options shared by the readers. */
export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: ReadProgress;
  /** Check chunk and attachment CRCs (default true). */
  validateCrcs?: boolean;
  /**
   * Awaited after each chunk (or group of chunks) has been delivered: lets the consumer insert what it built
   * before more is read, so a large file never sits decoded in memory all at once.
   */
  onBatchEnd?: () => Promise<void>;
}

/** Thrown when a file cannot be read as MCAP at all (bad magic, empty). */
export class McapFormatError extends Error {
  override name = 'McapFormatError';
}

/** What a file's summary (or a full scan, for unindexed files) says is in it. */
export interface McapSummary {
  label: string;
  size: number;
  header: Header;
  /** `indexed`: read through the summary and chunk indexes; `streamed`: read front to back. */
  mode: 'indexed' | 'streamed';
  schemas: Map<number, Schema>;
  channels: Map<number, Channel>;
  statistics: Statistics | null;
  chunkIndexes: ChunkIndex[];
  attachmentIndexes: AttachmentIndex[];
  /** Problems found so far, in words (a damaged chunk, a truncated tail, why the index could not be used). */
  problems: string[];
}
