/**
 * MCAP logs in pure TypeScript (no DuckDB, no DOM): reading indexed files through their summary and damaged or
 * unindexed ones front to back, decoding messages by schema (ROS 1, ROS 2 CDR, protobuf, JSON), and building
 * Arrow tables from them. `workers/db/mcap-*.ts` put the results into DuckDB.
 */
export { openMcapFile, type McapFile, type OpenOptions, type AttachmentInfo } from './file';
export { streamMcap, type StreamOutcome } from './stream';
export { readIndexedMessages } from './indexed';
export { bytesReadable, blobReadable, httpReadable, McapFetchError, type McapReadable } from './readable';
export { decoderFor, DecoderError, rosShape, schemaShape, inferShape, type ChannelDecoder } from './decode';
export { TopicTableBuilder, arrowType, MESSAGE_COLUMNS, FILE_COLUMN, type DecodeFn } from './topic-table';
export { topicTableName } from './names';
export { describeShape, type Shape, type MessageShape } from './shape';
export { toNanos, jsonText } from './arrow-convert';
export { describeBadMagic, hasMagic, MAGIC, parseRecordContent, McapRecordError } from './records';
export { DECOMPRESSORS, decompressChunk } from './decompress';
export { crc32 } from './crc32';
export { McapFormatError, type McapSummary, type McapSink, type ReadOptions, type ReadProgress } from './types';
export type { Attachment, AttachmentIndex, Channel, ChunkIndex, Header, Metadata, Schema, Statistics, TypedMcapRecord, MessageFn } from './types';
export { defaultEpisodes, guessEpisodes, validateEpisodes, episodesFromParams, type McapEpisodes, type EpisodeSplit, type TopicField } from './episodes';
