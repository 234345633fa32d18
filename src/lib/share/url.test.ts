import { describe, expect, it } from 'vitest';
import { healthNotebook } from '../notebook/templates';
import { decodeNotebook } from './codec.ts';
import type { SharedNotebook } from './types.ts';
import { MAX_SHARE_URL_LENGTH, readLocation, shareUrl, withDeepLink } from './url.ts';

const doc: SharedNotebook = { version: 1, title: 'T', sources: [], cells: [{ id: 'q', kind: 'sql', name: 'q', source: 'SELECT 1' }] };

/** Deterministic text that does not compress (so the link grows with it). */
function noise(n: number): string {
  let x = 12345;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += String.fromCharCode(33 + ((x >>> 16) % 94));
  }
  return s;
}

describe('shareUrl', () => {
  it('puts the notebook and deep link in the fragment and round-trips', async () => {
    const link = await shareUrl('https://app.example/flywheel/index.html?x=1#old', doc, { cell: 'q', episode: 4, t: 1.23456 });
    expect(link.url).toMatch(/^https:\/\/app\.example\/flywheel\/index\.html\?x=1#nb=1\.[A-Za-z0-9_-]+&cell=q&episode=4&t=1\.235$/);
    expect(link.length).toBe(link.url.length);
    expect(link.tooLong).toBe(false);
    const read = readLocation(link.url);
    expect(read).toMatchObject({ kind: 'notebook', deepLink: { cell: 'q', episode: 4, t: 1.235 }, warnings: [] });
    expect(read.kind === 'notebook' && (await decodeNotebook(read.payload))).toEqual(doc);
  });

  it('drops routing parameters from the base', async () => {
    const link = await shareUrl('https://app.example/?dataset=https%3A%2F%2Fh.example%2Fd%2F&log=l.csv&costs=c.csv&notebook=n.json', doc);
    expect(link.url).toMatch(/^https:\/\/app\.example\/#nb=1\./);
  });

  it('refuses a malformed deep link', async () => {
    await expect(shareUrl('https://app.example/', doc, { cell: 'a b' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(shareUrl('https://app.example/', doc, { episode: -1 })).rejects.toMatchObject({ code: 'invalid' });
    await expect(shareUrl('https://app.example/', doc, { t: NaN })).rejects.toMatchObject({ code: 'invalid' });
  });

  it(`flags links longer than ${MAX_SHARE_URL_LENGTH} characters`, async () => {
    const big = { ...doc, cells: [...doc.cells, { id: 'm', kind: 'markdown' as const, name: 'm', source: noise(9000) }] };
    const link = await shareUrl('https://app.example/', big);
    expect(link.length).toBeGreaterThan(MAX_SHARE_URL_LENGTH);
    expect(link.tooLong).toBe(true);
    // The real template is comfortably short.
    expect((await shareUrl('https://app.example/', healthNotebook())).tooLong).toBe(false);
  });
});

describe('readLocation', () => {
  it('reads nothing from a bare address', () => {
    expect(readLocation('https://app.example/')).toEqual({ kind: 'none', deepLink: {}, warnings: [] });
  });

  it('reads a notebook file URL, resolved against the page', () => {
    expect(readLocation('https://app.example/app/?notebook=nbs/a.flywheel.json')).toMatchObject({ kind: 'notebookUrl', url: 'https://app.example/app/nbs/a.flywheel.json' });
    expect(readLocation('https://app.example/?notebook=https%3A%2F%2Fgist.example%2Fa.json')).toMatchObject({ kind: 'notebookUrl', url: 'https://gist.example/a.json' });
  });

  it('ignores an unsafe notebook URL with a warning', () => {
    const read = readLocation('https://app.example/?notebook=javascript%3Aalert(1)');
    expect(read.kind).toBe('none');
    expect(read.warnings[0]).toMatch(/"\?notebook=" must be an http\(s\) URL/);
  });

  it('keeps dataset parameters as they are', () => {
    expect(readLocation('https://app.example/?dataset=https%3A%2F%2Fh.example%2Fd&log=demo%2Flog.csv&costs=c.csv')).toEqual({
      kind: 'dataset',
      dataset: 'https://h.example/d',
      log: 'demo/log.csv',
      costs: 'c.csv',
      deepLink: {},
      warnings: [],
    });
  });

  it('prefers #nb over ?notebook over ?dataset, and says so', () => {
    const read = readLocation('https://app.example/?dataset=d&notebook=n.json#nb=1.abc');
    expect(read).toMatchObject({ kind: 'notebook', payload: '1.abc' });
    expect(read.warnings).toHaveLength(2);
    expect(readLocation('https://app.example/?dataset=d&notebook=n.json')).toMatchObject({ kind: 'notebookUrl' });
  });

  it('reads a deep link next to a dataset', () => {
    expect(readLocation('https://app.example/?dataset=d#cell=failures&episode=12&t=3.5')).toMatchObject({ kind: 'dataset', deepLink: { cell: 'failures', episode: 12, t: 3.5 } });
  });

  it('drops malformed deep link fields with warnings', () => {
    const read = readLocation('https://app.example/#cell=%3Cscript%3E&episode=-1&t=1e3');
    expect(read.deepLink).toEqual({});
    expect(read.warnings).toEqual([
      expect.stringMatching(/Ignored "cell=<script>"/),
      expect.stringMatching(/Ignored "episode=-1"/),
      expect.stringMatching(/Ignored "t=1e3"/),
    ]);
    expect(readLocation('https://app.example/#episode=99999999999999999').deepLink).toEqual({});
  });
});

describe('withDeepLink', () => {
  it('replaces the deep link and keeps the notebook payload', () => {
    const href = withDeepLink('https://app.example/?x=1#nb=1.abc_-&cell=old&t=3', { cell: 'new', episode: 2 });
    expect(href).toBe('https://app.example/?x=1#nb=1.abc_-&cell=new&episode=2');
    expect(withDeepLink(href, {})).toBe('https://app.example/?x=1#nb=1.abc_-');
  });
});
