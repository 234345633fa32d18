/**
 * The notebook as URL-safe text: JSON → gzip (CompressionStream) → base64url without padding, behind a
 * format prefix (`1.`) so later encodings can be added while old links keep opening.
 *
 * gzip rather than deflate-raw: its CRC-32 and length trailer turn a link that a chat app cut short or
 * mangled into a clear "damaged link" error instead of garbage, for 18 bytes (24 characters) more.
 */
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { ShareError } from './errors.ts';
import { notebookFromJson, parseJson } from './parse.ts';
import { validateNotebook } from './schema.ts';
import type { SharedNotebook } from './types.ts';
import { formatCount, formatFixed } from '../util/format.ts';

/** Prefix of the current payload format: `1.` = JSON, gzip, base64url. */
export const PAYLOAD_FORMAT = '1';
/**
 * Largest decompressed document accepted from a link. A zip-bomb guard: inflation stops as soon as the
 * output passes it. Real notebooks are a few kilobytes; a link cannot carry much more anyway.
 */
export const MAX_DECODED_BYTES = 2 * 1024 * 1024;
/** Longest payload text looked at (base64 of the largest document, even if it did not compress at all). */
export const MAX_PAYLOAD_LENGTH = Math.ceil((MAX_DECODED_BYTES * 4) / 3) + 64;
/** Compressed input is fed to the inflater in slices this small so one slice cannot inflate to much (≤ ~1 MB). */
const INPUT_SLICE = 1024;

/**
 * Encode a notebook as link text (`1.<base64url>`). Validates first, so a link that would not open is
 * never produced: throws a {@link ShareError} (`invalid` with details, or `too-large`).
 */
export async function encodeNotebook(doc: SharedNotebook): Promise<string> {
  const result = validateNotebook(doc);
  if (!result.ok) throw new ShareError('invalid', 'This notebook cannot be shared until these problems are fixed.', result.errors);
  const json = new TextEncoder().encode(JSON.stringify(result.doc));
  if (json.length > MAX_DECODED_BYTES) {
    throw new ShareError('too-large', `This notebook is too large to share as a link (${megabytes(json.length)}; the limit is ${megabytes(MAX_DECODED_BYTES)}). Share it as a file.`);
  }
  const zipped = new Uint8Array(await new Response(sliced(json).pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  return `${PAYLOAD_FORMAT}.${toBase64Url(zipped)}`;
}

/**
 * Decode link text from {@link encodeNotebook} (or an older format) into a validated, migrated notebook.
 * Throws a {@link ShareError} whose code says what was wrong: `format`, `base64`, `compression`,
 * `too-large`, `json`, `version` or `invalid`.
 */
export async function decodeNotebook(payload: string): Promise<SharedNotebook> {
  const text = payload.trim();
  if (text.length > MAX_PAYLOAD_LENGTH) {
    throw new ShareError('too-large', `This link is too long to be a Flywheel notebook (${formatCount(text.length)} characters).`);
  }
  const dot = text.indexOf('.');
  const format = dot < 0 ? '' : text.slice(0, dot);
  if (format !== PAYLOAD_FORMAT) {
    throw new ShareError('format', dot < 0 || format.length > 8
      ? 'This link does not hold a Flywheel notebook (the part after "#nb=" is not in a known format).'
      : `This link uses notebook format "${format}", which this version of Flywheel does not know. Reload the page to get the latest version.`);
  }
  const bytes = fromBase64Url(text.slice(dot + 1));
  if (!bytes || bytes.length === 0) {
    throw new ShareError('base64', 'This link is damaged: its notebook data is not valid base64url. Was it cut off or changed when it was copied?');
  }
  const json = await gunzipCapped(bytes, MAX_DECODED_BYTES);
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch (e) {
    throw new ShareError('json', 'This link is damaged: its notebook data is not UTF-8 text.', [], { cause: e });
  }
  return notebookFromJson(parseJson(decoded, 'link'), 'link');
}

/** gunzip `bytes`, refusing (and stopping) once the output passes `cap` bytes. */
async function gunzipCapped(bytes: Uint8Array, cap: number): Promise<Uint8Array> {
  const reader = sliced(bytes).pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (e) {
      throw new ShareError('compression', 'This link is damaged: its notebook data does not decompress. Was it cut off or changed when it was copied?', [], { cause: e });
    }
    if (step.done) break;
    total += step.value.length;
    if (total > cap) {
      // Cancelling tears down the inflater, so the rest of a zip bomb is never expanded.
      reader.cancel().catch(() => {});
      throw new ShareError('too-large', `This link's notebook is larger than ${megabytes(cap)} when decompressed, so it was not opened.`);
    }
    chunks.push(step.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A pull-based stream of `bytes` in small slices: the inflater only gets more input when its output has
 * been read, which is what bounds the memory a zip bomb can take before the cap check sees it.
 */
function sliced(bytes: Uint8Array): ReadableStream<Uint8Array<ArrayBuffer>> {
  let at = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, at + INPUT_SLICE));
        at += INPUT_SLICE;
      },
    },
    { highWaterMark: 0 },
  );
}

function megabytes(n: number): string {
  return `${formatFixed(n / 1024 / 1024, 1)} MB`;
}
