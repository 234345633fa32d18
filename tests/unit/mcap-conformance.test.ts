/**
 * The MCAP conformance suite (foxglove/mcap tests/conformance): every record the `.json` beside each file lists
 * must come out of our reader with the same values. Three sets of files:
 * - the suite's own four (tests/fixtures/samples/mcap/conformance, written by others);
 * - the padded variants the project generated and committed (tests/fixtures/mcap/conformance), among them
 *   `OneMessage-ch-chx-mx-pad-rch-rsh-st-sum`, which `@mcap/core`'s indexed reader misreads;
 * - every variant of every input of the suite's structure, generated in memory (tests/fixtures/gen/mcap-conformance.ts).
 *
 * Each file is read front to back (every record, in file order), through the indexed path whenever it has a
 * summary (the summary's schemas, channels, statistics and indexes; the messages the chunk index leads to), and
 * opened as the app opens it (indexed when the summary describes the whole file, else front to back).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bytesReadable, openMcapFile, readIndexedMessages, streamMcap, type TypedMcapRecord } from '../../src/lib/mcap';
import { openIndexed } from '../../src/lib/mcap/indexed';
import { conformanceVariant, conformanceVariants, type ExpectedRecord } from '../fixtures/gen/mcap-conformance';

const SUITE = path.resolve(import.meta.dirname, '../fixtures/samples/mcap/conformance');
const COMMITTED = path.resolve(import.meta.dirname, '../fixtures/mcap/conformance');

interface Case {
  name: string;
  bytes: Uint8Array;
  expected: { records: ExpectedRecord[] };
}
const fromDir = (dir: string, set: string): Case[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.mcap'))
    .map((f) => ({
      name: `${set}/${f}`,
      bytes: new Uint8Array(readFileSync(path.join(dir, f))),
      expected: JSON.parse(readFileSync(path.join(dir, f.replace(/\.mcap$/, '.json')), 'utf8')),
    }));
const suite = fromDir(SUITE, 'suite');
const committed = fromDir(COMMITTED, 'committed');
const generated: Case[] = [...conformanceVariants()].map((v) => ({ ...v, name: `generated/${v.name}` }));

type Fields = [string, unknown][];
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A record in the conformance JSON's form: sorted snake_case fields, integers as strings, bytes as string arrays. */
function serialise(r: TypedMcapRecord): { type: string; fields: Fields } {
  const value = (v: unknown): unknown => {
    if (typeof v === 'bigint' || typeof v === 'number') return String(v);
    if (v instanceof Uint8Array) return Array.from(v, String);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), value(x)]));
    if (Array.isArray(v)) return v.map(value);
    return v;
  };
  const fields = Object.entries(r)
    .filter(([k]) => k !== 'type')
    .map(([k, v]): [string, unknown] => [snake(k), value(v)])
    .sort((a, b) => a[0].localeCompare(b[0]));
  return { type: r.type, fields };
}
const norm = (r: ExpectedRecord) => ({ type: r.type, fields: r.fields });
const field = (r: ExpectedRecord, k: string) => r.fields.find(([f]) => f === k)?.[1];
// Summaries repeat schemas and channels (rsh, rch): compare distinct records.
const distinct = (xs: { type: string; fields: Fields }[]) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];

describe('the generator of conformance variants', () => {
  test.each(suite.map((c) => c.name))('reproduces the suite file %s byte for byte, with its .json', (name) => {
    const c = suite.find((x) => x.name === name)!;
    const v = conformanceVariant(path.basename(name, '.mcap'));
    expect(Buffer.from(v.bytes).equals(Buffer.from(c.bytes))).toBe(true);
    expect(v.expected.records).toEqual(c.expected.records);
  });
  test.each(committed.map((c) => c.name))('wrote the committed %s (regenerate with `npx tsx tests/fixtures/gen/cli.ts`)', (name) => {
    const c = committed.find((x) => x.name === name)!;
    const v = conformanceVariant(path.basename(name, '.mcap'));
    expect(Buffer.from(v.bytes).equals(Buffer.from(c.bytes))).toBe(true);
    expect(v.expected.records).toEqual(c.expected.records);
  });
  test('covers the padded variant the issue names, and every feature', () => {
    expect(committed.map((c) => c.name)).toContain('committed/OneMessage-ch-chx-mx-pad-rch-rsh-st-sum.mcap');
    const names = generated.map((c) => c.name);
    for (const f of ['ch', 'mx', 'st', 'rsh', 'rch', 'ax', 'mdx', 'chx', 'sum', 'pad']) expect(names.some((n) => n.split('-').includes(f))).toBe(true);
  });
});

describe('the padded file of issue 18 (records with extra bytes after their fields)', () => {
  const c = committed.find((x) => x.name === 'committed/OneMessage-ch-chx-mx-pad-rch-rsh-st-sum.mcap')!;
  test('opens through its summary, with its one message and no problems', async () => {
    // Its Data End record is padded too (content length 7, not 4): a reader that assumes 4 misreads the summary.
    const view = new DataView(c.bytes.buffer, c.bytes.byteOffset);
    const summaryStart = Number(view.getBigUint64(c.bytes.length - 8 - 20, true));
    expect(view.getUint8(summaryStart - 16)).toBe(0x0f);
    expect(view.getBigUint64(summaryStart - 15, true)).toBe(7n);
    const f = await openMcapFile(bytesReadable(c.bytes, 'padded.mcap'));
    expect(f.summary.mode).toBe('indexed');
    expect(f.streamed).toBe(false);
    const got: { type: string; fields: Fields }[] = [];
    await f.readMessages(null, (channelId, sequence, logTime, publishTime, data) => got.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })));
    expect(got).toEqual(c.expected.records.filter((r) => r.type === 'Message').map(norm));
    expect(got).toHaveLength(1);
    expect([...f.summary.channels.values()].map((ch) => ch.topic)).toEqual(['example']);
    expect(f.summary.problems).toEqual([]);
  });
});

describe.each([...suite, ...committed, ...generated].map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const { bytes, expected } = c;
  const label = path.basename(c.name);
  const records = expected.records.map(norm);
  const byType = (t: string) => records.filter((r) => r.type === t);
  const footer = expected.records.find((r) => r.type === 'Footer')!;
  const hasSummary = field(footer, 'summary_start') !== '0';
  // Everything after Data End is the summary section (and the footer).
  const summaryRecords = records.slice(records.findIndex((r) => r.type === 'DataEnd') + 1);
  const inSummary = (t: string) => summaryRecords.filter((r) => r.type === t);

  test('streamed: every record, in file order, with the same values', async () => {
    const got: { type: string; fields: Fields }[] = [];
    const out = await streamMcap(bytesReadable(bytes, label), {
      message: (channelId, sequence, logTime, publishTime, data) =>
        got.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })),
      record: (r) => got.push(serialise(r)),
    });
    // The suite lists chunk contents in place of the chunk, and no message index records.
    expect(got.filter((r) => r.type !== 'MessageIndex')).toEqual(records);
    expect(out.complete).toBe(true);
    expect(out.problems).toEqual([]);
  });

  // Files without a summary have no indexed path to test (they are only read front to back).
  if (hasSummary) test('indexed: the summary, and the messages its chunk index leads to', async () => {
    const readable = bytesReadable(bytes, label);
    const { summary, metadataIndexes } = await openIndexed(readable);
    expect(summary.mode).toBe('indexed');
    expect([...summary.schemas.values()].map((s) => serialise({ ...s, type: 'Schema' }))).toEqual(distinct(inSummary('Schema')));
    expect([...summary.channels.values()].map((ch) => serialise({ ...ch, type: 'Channel' }))).toEqual(distinct(inSummary('Channel')));
    expect(summary.statistics ? [serialise({ ...summary.statistics, type: 'Statistics' })] : []).toEqual(inSummary('Statistics'));
    expect(summary.chunkIndexes.map((r) => serialise({ ...r, type: 'ChunkIndex' }))).toEqual(inSummary('ChunkIndex'));
    expect(summary.attachmentIndexes.map((r) => serialise({ ...r, type: 'AttachmentIndex' }))).toEqual(inSummary('AttachmentIndex'));
    expect(metadataIndexes.map((r) => serialise({ ...r, type: 'MetadataIndex' }))).toEqual(inSummary('MetadataIndex'));
    if (summary.chunkIndexes.length) {
      const messages: { type: string; fields: Fields }[] = [];
      const out = await readIndexedMessages(readable, summary, null, (channelId, sequence, logTime, publishTime, data) =>
        messages.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })),
      );
      // Read in file order, like the suite lists them (TenMessages has log times out of order on purpose).
      expect(messages).toEqual(byType('Message'));
      expect(out.problems).toEqual([]);
    }
  });

  test('opened as the app opens it: schemas, channels, statistics, messages, attachments, metadata', async () => {
    const f = await openMcapFile(bytesReadable(bytes, label));
    // Indexed whenever the summary leads to everything in the file; else read front to back, without a complaint.
    const st = inSummary('Statistics')[0];
    const messagesReachable = inSummary('ChunkIndex').length
      ? inSummary('Channel').length > 0 && (inSummary('Schema').length > 0 || !byType('Schema').length)
      : st !== undefined && field(st, 'message_count') === '0';
    const complete = hasSummary && messagesReachable;
    const indexesAll = !st || (Number(field(st, 'attachment_count')) <= inSummary('AttachmentIndex').length && Number(field(st, 'metadata_count')) <= inSummary('MetadataIndex').length);
    expect(f.summary.mode).toBe(complete && indexesAll ? 'indexed' : 'streamed');
    expect([...f.summary.schemas.values()].map((s) => serialise({ ...s, type: 'Schema' }))).toEqual(distinct(byType('Schema')));
    expect([...f.summary.channels.values()].map((ch) => serialise({ ...ch, type: 'Channel' }))).toEqual(distinct(byType('Channel')));
    const stats = byType('Statistics');
    if (stats.length) expect(serialise({ ...f.summary.statistics!, type: 'Statistics' })).toEqual(stats[stats.length - 1]);

    const messages: { type: string; fields: Fields }[] = [];
    await f.readMessages(null, (channelId, sequence, logTime, publishTime, data) =>
      messages.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })),
    );
    expect(messages).toEqual(byType('Message'));
    // An indexed file lists the attachments and metadata its indexes point at; a streamed one all it holds.
    const attachments = await f.attachments();
    const wantAttachments = f.streamed || inSummary('AttachmentIndex').length ? byType('Attachment') : [];
    expect(attachments.map((a) => serialise({ type: 'Attachment', name: a.name, logTime: a.logTime, createTime: a.createTime, mediaType: a.mediaType, data: a.data! }))).toEqual(wantAttachments);
    const metadata = await f.metadata();
    const wantMetadata = f.streamed || inSummary('MetadataIndex').length ? byType('Metadata') : [];
    expect(metadata.map((m) => serialise({ type: 'Metadata', ...m }))).toEqual(wantMetadata);
    expect(f.summary.problems).toEqual([]);
  });
});
