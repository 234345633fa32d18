import type { MessageShape } from '../shape';

/** How to turn one channel's message bytes into rows. */
export interface ChannelDecoder {
  /** The message's fields (the table's columns after log_time, publish_time, sequence). */
  shape: MessageShape;
  decode(data: Uint8Array): Record<string, unknown>;
  /** Check each decoded value against the shape (true for JSON, whose messages need not agree). */
  strict: boolean;
}

/** Thrown when a channel cannot be decoded (unknown encoding, a schema that does not parse). */
export class DecoderError extends Error {
  override name = 'DecoderError';
}
