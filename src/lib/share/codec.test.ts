import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { healthNotebook } from '../notebook/templates';
import { toBase64Url } from './base64url.ts';
import { MAX_DECODED_BYTES, decodeNotebook, encodeNotebook } from './codec.ts';
import { ShareError } from './errors.ts';
import type { SharedNotebook } from './types.ts';

/** A payload holding arbitrary bytes, gzipped the way the codec does. */
const payloadOf = (text: string | Uint8Array) => `1.${toBase64Url(gzipSync(text))}`;

async function failure(payload: string): Promise<ShareError> {
  const error = await decodeNotebook(payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShareError);
  return error as ShareError;
}

const small: SharedNotebook = {
  version: 1,
  title: 'Grasp failures — ünïcødé 🤖',
  sources: [{ name: 'dataset', kind: 'lerobot', url: 'https://huggingface.co/datasets/lerobot/pusht/resolve/main/' }],
  cells: [
    { id: 'q1', kind: 'sql', name: 'fails', source: "SELECT * FROM episodes WHERE task LIKE '%grasp%' -- \"quotes\" & <tags>" },
    { id: 'c1', kind: 'plot', name: 'chart', source: '', plot: { data: 'fails', mark: 'barY', x: 'task', y: 'length', sort: { x: 'y', descending: true } } },
    { id: 'm1', kind: 'markdown', name: 'notes', source: '# Notes\n<script>alert(1)</script> is just text here.' },
  ],
  layout: { focus: 'chart' },
  deepLink: { cell: 'fails', episode: 7, t: 2.5 },
};

describe('encodeNotebook / decodeNotebook', () => {
  const docs: [string, SharedNotebook][] = [['small', small], ['health template', healthNotebook()], ['empty', { version: 1, title: '', sources: [], cells: [] }]];
  for (const [name, doc] of docs) {
    it(`round-trips the ${name} notebook`, async () => {
      const payload = await encodeNotebook(doc);
      expect(payload).toMatch(/^1\.[A-Za-z0-9_-]+$/);
      expect(await decodeNotebook(payload)).toEqual(doc);
    });
  }

  it('compresses: the health notebook link is under half its JSON size', async () => {
    const doc = healthNotebook();
    expect((await encodeNotebook(doc)).length).toBeLessThan(JSON.stringify(doc).length / 2);
  });

  it('ignores surrounding whitespace (pasted links)', async () => {
    expect(await decodeNotebook(`  ${await encodeNotebook(small)}\n`)).toEqual(small);
  });

  it('refuses to encode an invalid notebook, listing the problems', async () => {
    const bad = { ...small, cells: [{ id: 'x', kind: 'sql', name: 'not ok', source: '' }] } as SharedNotebook;
    const error = await encodeNotebook(bad).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', details: [expect.stringMatching(/name must be an identifier/)] });
  });

  it('refuses to encode a notebook over the decoded size cap', async () => {
    const cells = Array.from({ length: 25 }, (_, i) => ({ id: `c${i}`, kind: 'markdown' as const, name: `c${i}`, source: 'x'.repeat(100_000) }));
    const error = await encodeNotebook({ ...small, cells, layout: undefined, deepLink: undefined }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'too-large', message: expect.stringMatching(/Share it as a file/) });
  });

  it('rejects an unknown format prefix', async () => {
    expect(await failure('2.abc')).toMatchObject({ code: 'format', message: expect.stringMatching(/format "2"/) });
    expect(await failure('H4sIAAAA')).toMatchObject({ code: 'format' });
    expect(await failure('')).toMatchObject({ code: 'format' });
  });

  it('rejects text that is not base64url', async () => {
    expect(await failure('1.abc+def/')).toMatchObject({ code: 'base64' });
    expect(await failure('1.abcde')).toMatchObject({ code: 'base64' }); // 4k + 1 characters
    expect(await failure('1.')).toMatchObject({ code: 'base64' });
    expect(await failure('1.ab cd')).toMatchObject({ code: 'base64' });
  });

  it('rejects bytes that are not gzip', async () => {
    expect(await failure(`1.${toBase64Url(new TextEncoder().encode('{"version":1}'))}`)).toMatchObject({ code: 'compression' });
  });

  it('rejects a link that was cut short', async () => {
    const payload = await encodeNotebook(healthNotebook());
    const cut = payload.slice(0, Math.floor(payload.length * 0.7) & ~3);
    expect(await failure(cut)).toMatchObject({ code: 'compression', message: expect.stringMatching(/cut off/) });
  });

  it('rejects a link with a changed character (gzip CRC)', async () => {
    const payload = await encodeNotebook(small);
    const i = Math.floor(payload.length / 2);
    const changed = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    expect(['compression', 'json', 'invalid']).toContain((await failure(changed)).code);
  });

  it('rejects gzip of something that is not JSON or not UTF-8', async () => {
    expect(await failure(payloadOf('not json'))).toMatchObject({ code: 'json' });
    expect(await failure(payloadOf(new Uint8Array([0xff, 0xfe, 0x7b])))).toMatchObject({ code: 'json' });
  });

  it('rejects JSON of the wrong shape with every problem listed', async () => {
    const error = await failure(payloadOf(JSON.stringify({ version: 1, title: 7, sources: [], cells: [], extra: true })));
    expect(error.code).toBe('invalid');
    expect(error.details).toEqual([expect.stringMatching(/Unknown key "extra"/), expect.stringMatching(/"title" must be a string/)]);
  });

  it('rejects a document from a newer version', async () => {
    expect(await failure(payloadOf(JSON.stringify({ ...small, version: 9 })))).toMatchObject({ code: 'version', message: expect.stringMatching(/newer version/) });
  });

  it('rejects prototype-pollution keys', async () => {
    const error = await failure(payloadOf('{"version":1,"title":"t","sources":[],"cells":[],"__proto__":{"polluted":true}}'));
    expect(error.details).toEqual([expect.stringMatching(/Unknown key "__proto__"/)]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops inflating a zip bomb at the cap', async () => {
    // 64 MB of spaces gzips to ~64 KB; inflating it whole would take 64 MB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    const error = await failure(`1.${toBase64Url(bomb)}`);
    expect(error).toMatchObject({ code: 'too-large', message: expect.stringMatching(/larger than 2\.0 MB when decompressed/) });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('accepts a document just under the cap', async () => {
    const json = JSON.stringify({ version: 1, title: 't', sources: [], cells: [{ id: 'a', kind: 'markdown', name: 'a', source: 'x'.repeat(99_000) }] });
    expect(json.length).toBeLessThan(MAX_DECODED_BYTES);
    expect((await decodeNotebook(payloadOf(json))).cells[0].source).toHaveLength(99_000);
  });

  it('rejects a payload too long to be a link before decoding it', async () => {
    expect(await failure(`1.${'A'.repeat(3_000_000)}`)).toMatchObject({ code: 'too-large' });
  });
});
