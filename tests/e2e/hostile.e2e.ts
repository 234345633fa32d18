/**
 * The hostile corpus: notebooks whose every string field is a payload, and datasets (LeRobot, MCAP) whose task,
 * feature, joint, topic, schema, metadata and attachment names are payloads (tests/fixtures/gen/hostile.ts). Each
 * payload that runs would set `window.__pwned`; each that loads points at evil.example. Asserted: no script ran,
 * no dialog opened, and every request that tried to leave the page went to a host the consent prompt listed
 * (the harness aborts and counts every non-local request; the cross-origin test server logs every request).
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { settled } from './notebook-page.ts';
import { saveScreenshot } from './screenshot.ts';
import { gzipSync } from 'node:zlib';
import { encodeNotebook, PAYLOAD_FORMAT, validateNotebook, type SharedNotebook } from '../../src/lib/share/index.ts';
import { healthNotebook } from '../../src/lib/notebook/templates/health.ts';
import { uncertaintyNotebook } from '../../src/lib/score/templates.ts';
import { EVIL_HOST, payloads } from '../fixtures/gen/hostile.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const statsPath = inject('statsPath');

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
  // Every assignment to window.__pwned is recorded, even one that is overwritten or deleted later.
  await b.context.addInitScript(() => {
    const w = window as unknown as { __pwnedLog: unknown[] };
    w.__pwnedLog = [];
    Object.defineProperty(window, '__pwned', { configurable: false, get: () => w.__pwnedLog.at(-1), set: (v) => void w.__pwnedLog.push(v) });
  });
});
// The harness ignores the CSP reports DOMPurify's inert parse causes (see chromium.ts); every test here asserts
// instead that the live page holds no inline handler or <base>, and that no payload ran.
afterAll(() => b?.close());

/** Elements of the live page carrying an inline event handler, plus any <base>: both must stay zero. */
async function liveHandlers(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('*')].flatMap((el) => [
      ...(el.tagName === 'BASE' ? ['<base>'] : []),
      ...[...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `<${el.tagName.toLowerCase()} ${a.name}>`),
    ]),
  );
}

/** Opens a page that records dialogs; returns the page and the list. */
async function hostilePage(): Promise<{ page: Page; dialogs: string[] }> {
  const page = await b.context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return { page, dialogs };
}

async function pwned(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __pwnedLog: unknown[] }).__pwnedLog);
}

async function remoteRequests(): Promise<{ path: string }[]> {
  const stats = (await (await fetch(new URL(statsPath, remoteUrl))).json()) as { log: { path: string }[] };
  return stats.log;
}

/** Hosts of the requests the harness aborted since `from` (index into `b.blocked`). */
function blockedHosts(from: number): string[] {
  return b.blocked.slice(from).map((u) => new URL(u).host);
}

const P = payloads(1);
const remoteHost = new URL(remoteUrl).host;
const remotePixel = new URL('fixtures/hostile/pixel.png', remoteUrl).href;

/** A valid notebook with a payload in every string a notebook can hold. */
function hostileNotebook(): SharedNotebook {
  const model = uncertaintyNotebook().cells.find((c) => c.kind === 'model')!;
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const markdown = [
    `# ${P.join(' ')}`,
    ...P,
    `![pixel](http://${EVIL_HOST}/md-pixel.png)`,
    `<img src="https://${EVIL_HOST}/a.png"> <img src="//${EVIL_HOST}/b.png"> <img src="${remotePixel}">`,
    `<img srcset="http://${EVIL_HOST}/srcset.png 1x"> <picture><source srcset="http://${EVIL_HOST}/pic.png"></picture>`,
    `<iframe src="http://${EVIL_HOST}/frame"></iframe> <object data="http://${EVIL_HOST}/o"></object> <embed src="http://${EVIL_HOST}/e">`,
    `<link rel="stylesheet" href="http://${EVIL_HOST}/x.css"> <style>@import url(http://${EVIL_HOST}/y.css); body{background:url(http://${EVIL_HOST}/z.png)}</style>`,
    `<video poster="http://${EVIL_HOST}/poster.png" src="http://${EVIL_HOST}/v.mp4"></video> <audio src="http://${EVIL_HOST}/a.mp3"></audio>`,
    `<input type="image" src="http://${EVIL_HOST}/input.png"> <table background="http://${EVIL_HOST}/t.png"><tr><td>x</td></tr></table>`,
    `<a href="http://${EVIL_HOST}/link" ping="http://${EVIL_HOST}/ping">a link (not followed unless clicked)</a>`,
    `<div style="background-image:url(http://${EVIL_HOST}/div.png)">styled</div> <svg><image href="http://${EVIL_HOST}/svg.png"/></svg>`,
    `<meta http-equiv="refresh" content="0;url=http://${EVIL_HOST}/refresh"> <base href="http://${EVIL_HOST}/">`,
  ].join('\n\n');
  // DuckDB refuses a NUL inside a SQL literal or identifier, so SQL gets the payloads without it.
  const S = P.map((p) => p.replaceAll('\u0000', ''));
  const cols = S.map((p, i) => `${lit(p)} AS ${ident(`${p} #${i}`)}`).join(', ');
  return {
    version: 1,
    title: P.join(' ').slice(0, 200),
    sources: healthNotebook().sources,
    cells: [
      { id: 'md', kind: 'markdown', name: 'notes', source: markdown },
      { id: 'q', kind: 'sql', name: 'hostile_rows', source: `SELECT ${cols}, ${lit(`url(http://${EVIL_HOST}/paint.svg#p)`)} AS paint, i AS n FROM range(3) t(i)` },
      { id: 'v', kind: 'sql', name: 'hostile_values', source: `SELECT unnest([${S.map(lit).join(', ')}]) AS label, 1 AS n` },
      { id: 'p1', kind: 'plot', name: 'paint_chart', source: '', plot: { data: 'hostile_rows', mark: 'barY', x: 'paint', y: 'n', fill: 'paint', title: P[0], xLabel: P[1], yLabel: P[2] } },
      { id: 'p2', kind: 'plot', name: 'label_chart', source: '', plot: { data: 'hostile_values', mark: 'text', x: 'label', y: 'n', text: 'label', title: P[3] } },
      { id: 'p3', kind: 'plot', name: 'column_chart', source: '', plot: { data: 'hostile_rows', mark: 'dot', x: `${P[0]} #0`, y: 'n', fill: `${P[4]} #4` } },
      // A model from a host with a payload in its path: listed at consent, so fetching it is allowed (and blocked by the harness).
      { ...model, id: 'm', name: 'hostile_model', model: { ...model.model!, model: { kind: 'url', urls: [`https://models.example/${encodeURIComponent(P[0])}.onnx`] } } },
    ],
  };
}

describe('the hostile corpus runs nothing and loads nothing unapproved', () => {
  test('a notebook with a payload in every string field', async () => {
    const doc = hostileNotebook();
    const valid = validateNotebook(doc);
    expect(valid.ok ? [] : valid.errors).toEqual([]);
    await fetch(new URL(`${statsPath}/reset`, remoteUrl));
    const before = b.blocked.length;
    const { page, dialogs } = await hostilePage();
    await page.goto(`${appUrl}#nb=${await encodeNotebook(doc)}`);
    await page.locator('[data-consent]').waitFor();
    const listed = await page.locator('[data-consent-hosts] li').allInnerTexts();
    // Only the model's host is contacted: neither evil.example nor the test server's other origin is named.
    expect(listed).toEqual(['models.example']);
    expect(await page.locator('[data-consent]').innerText()).toContain(P[0]);
    await page.click('[data-action="agree"]');
    await settled(page);
    await page.waitForTimeout(500);
    await saveScreenshot(page, 'hostile-notebook');

    expect(await pwned(page)).toEqual([]);
    expect(dialogs).toEqual([]);
    // The one attempt to leave: the model URL, on the listed host. Nothing went to evil.example or the other origin.
    expect(blockedHosts(before).every((h) => listed.includes(h)), b.blocked.slice(before).join('\n')).toBe(true);
    expect(blockedHosts(before).filter((h) => h === EVIL_HOST)).toEqual([]);
    expect(await remoteRequests()).toEqual([]);

    // The Markdown cell says which images it left out and why.
    const md = page.locator('[data-cell="notes"]');
    expect(await md.locator('[data-blocked-images]').count()).toBe(2);
    expect(await md.locator(`[data-blocked-images="${EVIL_HOST}"]`).innerText()).toMatch(/not loaded.*not approved/s);
    // What is left loads from this page's origin only (`<img src=x>` is a relative URL).
    const srcs = await md.locator('img[src]').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    expect(srcs.filter((u) => new URL(u).origin !== new URL(appUrl).origin)).toEqual([]);
    // An empty style attribute (Chromium leaves one on the <input type=image> made a checkbox) carries no CSS.
    const active = 'script, iframe, object, embed, style, link, video, audio, svg, meta, base, [style]:not([style=""]), [srcset], [ping]';
    expect(await md.locator('.md').locator(active).evaluateAll((els) => els.map((e) => e.outerHTML))).toEqual([]);
    expect(await liveHandlers(page)).toEqual([]);
    // Payloads in titles, column names and values are text.
    expect(await page.locator('header .title').innerText()).toContain('<script>');
    expect(await page.locator('[data-cell="hostile_rows"]').getAttribute('data-cell-status')).toBe('done');
    await page.locator('[data-cell="hostile_rows"] [data-grid]').scrollIntoViewIfNeeded();
    expect(await page.locator('[data-cell="hostile_rows"] [data-grid]').innerText()).toContain('<img src=x onerror');
    expect(await page.locator('[data-cell="label_chart"] svg').count()).toBeGreaterThan(0);
    // A url() "color" is a category, never an SVG paint reference to another site.
    const fills = await page.locator('[data-cell="paint_chart"] svg [fill]').evaluateAll((els) => els.map((e) => e.getAttribute('fill') ?? ''));
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.filter((f) => /url\(\s*['"]?(https?:)?\/\//i.test(f))).toEqual([]);

    // One click approves the other origin's images: saved with the notebook, and now it is contacted, and only it.
    await md.locator(`[data-blocked-images="${remoteHost}"] [data-action="approve-host"]`).click();
    await page.waitForFunction((src) => !!document.querySelector(`[data-cell="notes"] img[src="${src}"]`), remotePixel);
    await expect.poll(async () => (await remoteRequests()).map((r) => r.path)).toEqual(['/fixtures/hostile/pixel.png']);
    expect(await md.locator(`[data-blocked-images="${remoteHost}"]`).count()).toBe(0);
    expect(await md.locator(`[data-blocked-images="${EVIL_HOST}"]`).count()).toBe(1);
    // The approval is part of the notebook: a share link of it names the host at consent.
    await page.click('[data-action="share"]');
    const link = await page.locator('[data-share-link] input').inputValue();
    const second = await hostilePage();
    await second.page.goto(link);
    await second.page.locator('[data-consent]').waitFor();
    expect(await second.page.locator('[data-consent-hosts] li').allInnerTexts()).toEqual([remoteHost, 'models.example'].sort());
    await Promise.all([page.close(), second.page.close()]);
  });

  test('an invalid notebook (payloads in cell names and source URLs) is refused in words, as text', async () => {
    const doc = {
      version: 1,
      title: P[1],
      sources: [{ name: 'dataset', kind: 'lerobot', url: `javascript:window.__pwned=900` }],
      cells: [{ id: 'x', kind: 'sql', name: P[0], source: 'SELECT 1' }],
      layout: { focus: P[2] },
    };
    const { page, dialogs } = await hostilePage();
    // The app's encoder refuses an invalid notebook, so the payload is built the way a hostile author would.
    await expect(encodeNotebook(doc as unknown as SharedNotebook)).rejects.toThrow();
    const payload = `${PAYLOAD_FORMAT}.${gzipSync(JSON.stringify(doc)).toString('base64url')}`;
    await page.goto(`${appUrl}#nb=${payload}`);
    const error = page.locator('[data-error="session"]');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/not hold a valid Flywheel notebook/);
    // Each problem is named, the payloads shown as text.
    expect(await error.innerText()).toMatch(/sources\[0\]\.url must be an http\(s\) URL/);
    expect(await error.innerText()).toContain('javascript:window.__pwned=900');
    expect(await liveHandlers(page)).toEqual([]);
    await page.waitForTimeout(300);
    expect(await pwned(page)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.locator('[data-error="session"] img, [data-error="session"] script, [data-error="session"] svg').count()).toBe(0);
    await page.close();
  });

  test('a LeRobot dataset with payloads in task, feature, joint and robot names', async () => {
    const before = b.blocked.length;
    const { page, dialogs } = await hostilePage();
    await page.goto(`${appUrl}?dataset=${encodeURIComponent('fixtures/hostile/lerobot/')}#episode=0&t=0.2`);
    await settled(page);
    await page.locator('[data-episode-panel]').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    await saveScreenshot(page, 'hostile-lerobot');
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    // The catalog, grids, charts and viewer show the names as text.
    const text = await page.locator('body').innerText();
    expect(text).toContain('<img src=x onerror="window.__pwned=120">');
    expect(await liveHandlers(page)).toEqual([]);
    expect(await pwned(page)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(b.blocked.slice(before)).toEqual([]);
    await page.close();
  });

  test('an MCAP log with payloads in topic, schema, field, metadata and attachment names', async () => {
    const before = b.blocked.length;
    const { page, dialogs } = await hostilePage();
    await page.goto(`${appUrl}?mcap=${encodeURIComponent('fixtures/hostile/strings.mcap')}#episode=0`);
    await settled(page);
    await page.waitForTimeout(500);
    await saveScreenshot(page, 'hostile-mcap');
    const text = await page.locator('body').innerText();
    expect(text).toContain('window.__pwned=203');
    expect(await liveHandlers(page)).toEqual([]);
    expect(await pwned(page)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(b.blocked.slice(before)).toEqual([]);
    await page.close();
  });
});
