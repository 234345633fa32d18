import type { Channel, Schema } from '@mcap/core';
import { jsonDecoder } from './json';
import { protobufDecoder } from './protobuf';
import { ros1Decoder, ros2Decoder } from './ros';
import { DecoderError, type ChannelDecoder } from './types';

export { DecoderError, type ChannelDecoder } from './types';
export { rosShape } from './ros';
export { schemaShape, inferShape } from './json';

/**
 * The decoder for a channel's messages by its message encoding and schema encoding (the well-known pairs of the
 * MCAP registry). Throws DecoderError saying why when there is none, so the caller can keep raw bytes instead.
 * `sample` is the channel's first message, for JSON channels without a schema.
 */
export function decoderFor(channel: Channel, schema: Schema | undefined, sample: Uint8Array | null = null): ChannelDecoder {
  const enc = channel.messageEncoding;
  const se = schema?.encoding ?? '';
  if (enc === 'cdr' && (se === 'ros2msg' || se === 'ros2idl')) return ros2Decoder(schema!.name, se, schema!.data);
  if (enc === 'ros1' && se === 'ros1msg') return ros1Decoder(schema!.name, schema!.data);
  if (enc === 'protobuf' && se === 'protobuf') return protobufDecoder(schema!.name, schema!.data);
  if (enc === 'json' && (se === 'jsonschema' || !schema)) return jsonDecoder(schema ?? null, sample);
  if (['cdr', 'ros1', 'protobuf'].includes(enc)) {
    throw new DecoderError(schema ? `"${enc}" messages with a "${se}" schema are not supported` : `"${enc}" messages need a schema and this channel has none`);
  }
  throw new DecoderError(`no decoder for message encoding "${enc}"${schema ? ` (schema encoding "${se}")` : ''}`);
}
