/**
 * The MCAP conformance suite (foxglove/mcap tests/conformance, tests/fixtures/samples/mcap/conformance): every
 * record the `.json` beside each file lists must come out of our reader with the same values. Streamed reads are
 * compared record by record, in file order; indexed reads (files with a summary) by their summary's schemas,
 * channels and statistics, and by the messages the chunk index leads to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bytesReadable, openMcapFile, streamMcap, type TypedMcapRecord } from '../../src/lib/mcap';

const DIR = path.resolve(import.meta.dirname, '../fixtures/samples/mcap/conformance');
const files = readdirSync(DIR).filter((f) => f.endsWith('.mcap'));

type Fields = [string, unknown][];
interface Expected {
  records: { type: string; fields: Fields }[];
}

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

describe.each(files)('%s', (file) => {
  const bytes = new Uint8Array(readFileSync(path.join(DIR, file)));
  const expected = JSON.parse(readFileSync(path.join(DIR, file.replace(/\.mcap$/, '.json')), 'utf8')) as Expected;

  test('streamed: every record, in file order, with the same values', async () => {
    const got: { type: string; fields: Fields }[] = [];
    const out = await streamMcap(bytesReadable(bytes, file), {
      message: (channelId, sequence, logTime, publishTime, data) =>
        got.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })),
      record: (r) => got.push(serialise(r)),
    });
    // The suite lists chunk contents in place of the chunk, and no message index records.
    expect(got.filter((r) => r.type !== 'MessageIndex')).toEqual(expected.records);
    expect(out.complete).toBe(true);
    expect(out.problems).toEqual([]);
  });

  test('opened (indexed when it has a summary): schemas, channels, statistics, messages, attachments', async () => {
    const f = await openMcapFile(bytesReadable(bytes, file));
    const byType = (t: string) => expected.records.filter((r) => r.type === t);
    const hasSummary = expected.records.some((r) => r.type === 'Footer' && r.fields.find(([k]) => k === 'summary_start')?.[1] !== '0');
    expect(f.summary.mode).toBe(hasSummary ? 'indexed' : 'streamed');
    const schemas = [...f.summary.schemas.values()].map((s) => serialise({ type: 'Schema', ...s }));
    const channels = [...f.summary.channels.values()].map((c) => serialise({ type: 'Channel', ...c }));
    // Summaries repeat schemas and channels (rsh, rch): compare distinct records.
    const distinct = (xs: { type: string; fields: Fields }[]) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
    expect(schemas).toEqual(distinct(byType('Schema')));
    expect(channels).toEqual(distinct(byType('Channel')));
    const stats = byType('Statistics');
    if (stats.length) expect(serialise({ type: 'Statistics', ...f.summary.statistics! })).toEqual(stats[stats.length - 1]);

    const messages: { type: string; fields: Fields }[] = [];
    if (!f.streamed) {
      await f.readMessages(null, (channelId, sequence, logTime, publishTime, data) =>
        messages.push(serialise({ type: 'Message', channelId, sequence, logTime, publishTime, data })),
      );
      // Read in file order, like the suite lists them (TenMessages has log times out of order on purpose).
      expect(messages).toEqual(byType('Message'));
    }
    const attachments = await f.attachments();
    expect(attachments.map((a) => serialise({ type: 'Attachment', name: a.name, logTime: a.logTime, createTime: a.createTime, mediaType: a.mediaType, data: a.data! }))).toEqual(byType('Attachment'));
    const metadata = await f.metadata();
    expect(metadata.map((m) => serialise({ type: 'Metadata', ...m }))).toEqual(byType('Metadata'));
    expect(f.summary.problems).toEqual([]);
  });
});
