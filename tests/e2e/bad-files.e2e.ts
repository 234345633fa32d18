/**
 * Data files that do not match info.json, in the built app over HTTP ranges: the G1 sample with a file of another
 * schema, a truncated file, a Git LFS pointer and a file lacking a column (tests/fixtures/datasets/broken/
 * g1_bad_files). Each is named in one sentence with what is wrong and what to do, never in an engine's words, and
 * the rest of the dataset opens and answers queries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { gridRows, settled } from './notebook-page.ts';
import { saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const repoRoot = inject('repoRoot');
const DIR = 'tests/fixtures/datasets/broken/g1_bad_files';
const RAW_ENGINE = /Binder Error|Parquet error|Corrupt footer|Unexpected Type|out of spec|panicked|RuntimeError|unreachable/;
const lengths = readFileSync(path.join(repoRoot, DIR, 'meta/episodes.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => Number(JSON.parse(l).length));

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

describe('a dataset whose data files do not all match info.json', () => {
  test('each bad file is one sentence naming it and the problem; the other files open and query', async () => {
    const page = await b.context.newPage();
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(new URL('fixtures/datasets/broken/g1_bad_files/', remoteUrl).href)}`);
    await page.click('[data-action="agree"]');
    await page.waitForSelector('[data-table="frames"]', { timeout: 60_000 });
    await settled(page);

    // Opening looked for the first file that matches: the three before it are named, once each.
    const warnings = await page.locator('.warn').allInnerTexts();
    const about = (file: string) => warnings.filter((w) => w.includes(file));
    expect(about('episode_000000.parquet')).toEqual([
      expect.stringMatching(/^data\/chunk-000\/episode_000000\.parquet does not match info\.json: it has none of the 7 columns info\.json declares .*; it was skipped/),
    ]);
    expect(about('episode_000001.parquet')).toEqual([
      'data/chunk-000/episode_000001.parquet is truncated (51,635 bytes, its Parquet footer is missing): the copy or download stopped early, so copy it again; until then it is skipped and the other data files are used.',
    ]);
    expect(about('episode_000002.parquet')).toEqual([expect.stringMatching(/^data\/chunk-000\/episode_000002\.parquet is a Git LFS pointer, not the Parquet file itself: fetch the real file/)]);
    for (const w of warnings) expect(w).not.toMatch(RAW_ENGINE);

    // A query over every episode answers from the intact files and says, in the cell, which files it left out.
    await page.click('[data-action="add-sql"]');
    const cell = page.locator('[data-cell-kind="sql"]').last();
    const name = await cell.getAttribute('data-cell');
    await cell.locator('textarea').fill('SELECT episode_index, count(*) AS n FROM frames GROUP BY 1 ORDER BY 1');
    await cell.locator('textarea').press('Shift+Enter');
    await page.waitForFunction((el) => ['done', 'error'].includes(el?.getAttribute('data-cell-status') ?? ''), await cell.elementHandle(), { timeout: 60_000 });
    expect(await cell.locator('[data-cell-error]').count()).toBe(0);
    // episodes.jsonl gives episode 5 ten frames more than its file holds: the file's rows are what is read.
    const actual = (e: number) => lengths[e] - (e === 5 ? 10 : 0);
    expect(await gridRows(page, name!)).toEqual([3, 4, 5].map((e) => [String(e), actual(e).toLocaleString('en-US')]));
    const notes = await cell.locator('[data-cell-file-note]').allInnerTexts();
    expect(notes).toHaveLength(5);
    expect(notes.find((s) => s.includes('episode_000006.parquet'))).toBe(
      'data/chunk-000/episode_000006.parquet does not match info.json: it lacks the column action that info.json declares, and stores timestamp as DOUBLE where info.json declares float32; it was skipped (replace it with a matching file, or fix info.json).',
    );
    expect(notes).toContain(
      `data/chunk-000/episode_000005.parquet holds ${actual(5)} frames where the episode metadata says episode 5 has ${lengths[5]}: it was read as it is, so that episode's frames and its metadata disagree.`,
    );
    for (const s of notes) expect(s).not.toMatch(RAW_ENGINE);
    await cell.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'bad-data-files');

    // Nothing on the page speaks in the engine's words.
    expect(await page.locator('body').innerText()).not.toMatch(RAW_ENGINE);
    await page.close();
  });
});
