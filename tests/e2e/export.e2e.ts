import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import initParquet, { readParquet } from 'parquet-wasm/esm/parquet_wasm.js';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { healthNotebook } from '../../src/lib/notebook/templates/health.ts';

const appUrl = inject('appUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
  const require = createRequire(import.meta.url);
  await initParquet({ module_or_path: await readFile(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
});
afterAll(() => b?.close());

async function downloadFrom(page: Page, cell: string, format: string): Promise<{ name: string; bytes: Buffer }> {
  await page.locator(`[data-cell="${cell}"] .export summary`).click();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-cell="${cell}"] [data-export="${format}"]`).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: await readFile(path!) };
}

describe('results leave the tab', () => {
  test('a result as CSV, Parquet and Arrow; a chart as SVG and PNG', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    const plots = healthNotebook().cells.filter((c) => c.kind === 'plot').length;
    await page.waitForFunction((n) => document.querySelectorAll('[data-cell-kind="plot"] [data-plot][data-rendered="true"]').length === n, plots, { timeout: 60_000 });

    const csv = await downloadFrom(page, 'success_by_version', 'csv');
    expect(csv.name).toBe('success_by_version.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('policy_version,rotation,n,success_rate,ci_low,ci_high');
    expect(lines.length).toBe(7);
    expect(lines[1]).toMatch(/^v1,1,\d+,0\.\d+/);

    const pq = await downloadFrom(page, 'success_by_version', 'parquet');
    const fromParquet = tableFromIPC(readParquet(new Uint8Array(pq.bytes)).intoIPCStream());
    expect(fromParquet.numRows).toBe(6);
    expect(fromParquet.schema.fields.map((f) => f.name)).toEqual(['policy_version', 'rotation', 'n', 'success_rate', 'ci_low', 'ci_high']);

    const arrow = await downloadFrom(page, 'success_by_version', 'arrow');
    const fromArrow = tableFromIPC(new Uint8Array(arrow.bytes));
    expect(fromArrow.numRows).toBe(6);
    expect(String(fromArrow.getChild('policy_version')!.get(5))).toBe('v6');

    const svg = await downloadFrom(page, 'success_chart', 'svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<\?xml[\s\S]*<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const png = await downloadFrom(page, 'success_chart', 'png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    await page.close();
  });
});
