/**
 * Issue 17's matrix: every job notebook opened from the sidebar on five dataset configurations the project did not
 * generate for itself (the shared v2.1 G1 sample without a log, with an outcome-only log and with its full log; the
 * DROID-schema fixture; a v3.0 SO-101 teleop set in degrees with keys `state`/`actions`). Per cell: it ran, or it is
 * disabled with a capability message. Zero cells in error, so zero raw DuckDB errors. One page per configuration.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { settled } from './notebook-page.ts';

const appUrl = inject('appUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

const G1 = 'samples/lerobot/v21_unitree-g1_G1-policy-train';
const CONFIGS: { name: string; query: Record<string, string> }[] = [
  { name: 'g1-no-log', query: { dataset: G1 } },
  { name: 'g1-outcome-only', query: { dataset: G1, log: 'fixtures/logs/v21_g1_outcome_only/deployment_log.csv' } },
  { name: 'g1-full-log', query: { dataset: G1, log: 'fixtures/logs/v21_g1/deployment_log.csv', costs: 'fixtures/logs/v21_g1/collection_costs.csv' } },
  { name: 'droid', query: { dataset: 'fixtures/datasets/droid_mini' } },
  { name: 'so101-degrees', query: { dataset: 'fixtures/datasets/so101_degrees' } },
];

/** Each template and a cell only its notebook has (to know the new notebook is on the page before waiting). */
const TEMPLATES: [string, string][] = [
  ['health', 'success_by_version'],
  ['failure-mining', 'failure_priority'],
  ['red-flags', 'red_flags'],
  ['replay-mix', 'replay_manifest'],
  ['cost-per-success', 'cost_ledger'],
  ['agreement', 'agreement_outcome'],
  ['quality-gate', 'quality_checks'],
  ['review-sampling', 'review_sample'],
  ['drift-watch', 'drift_by_week'],
];

const RAW_ERROR = /(Binder|Catalog|Parser|Conversion|Invalid Input|Out of Range) Error|does not exist/;

/** Every cell's name, status and message. */
function cellStates(page: Page): Promise<{ name: string; status: string; capability: string; error: string }[]> {
  return page.locator('[data-cell]').evaluateAll((cells) =>
    cells.map((c) => ({
      name: c.getAttribute('data-cell') ?? '',
      status: c.getAttribute('data-cell-status') ?? '',
      capability: c.querySelector('[data-cell-capability]')?.textContent?.trim() ?? '',
      error: c.querySelector('[data-cell-error]')?.textContent?.trim() ?? '',
    })),
  );
}

describe('every job notebook on user data runs or says what it needs', () => {
  for (const cfg of CONFIGS) {
    // Generous: nine notebooks per page, on a shared 2-core machine; the speed is measured in `npm run bench`.
    test(cfg.name, { timeout: 900_000 }, async () => {
      const page = await b.context.newPage();
      try {
        await page.goto(`${appUrl}?${new URLSearchParams(cfg.query)}`);
        await settled(page, 300_000);
        // `&log=` alone opens the health notebook, not the overview.
        if (cfg.query.log) await page.waitForSelector('[data-cell="success_by_version"]');
        expect(await page.locator('[data-templates]').getAttribute('data-on')).toBe('this-data');
        const summary: string[] = [];
        for (const [id, marker] of TEMPLATES) {
          await page.click(`[data-template="${id}"]`);
          await page.waitForSelector(`[data-cell="${marker}"]`, { timeout: 120_000 });
          await settled(page, 300_000);
          await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"][data-cell-status="done"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
          const cells = await cellStates(page);
          expect(cells.length, id).toBeGreaterThan(2);
          for (const c of cells) {
            const where = `${cfg.name}/${id}/${c.name}`;
            expect(['done', 'disabled'], `${where}: ${c.status} ${c.error}`).toContain(c.status);
            expect(c.error, where).toBe('');
            if (c.status === 'disabled') {
              expect(c.capability, where).toMatch(/\w{3}/);
              expect(c.capability, where).not.toMatch(RAW_ERROR);
            }
          }
          const off = cells.filter((c) => c.status === 'disabled').length;
          summary.push(`${id}: ${cells.length - off} ran, ${off} disabled`);
          if (cfg.name === 'g1-full-log' && id === 'health') await saveScreenshot(page, 'user-data-g1-health');
          if (cfg.name === 'g1-no-log' && id === 'failure-mining') await saveScreenshot(page, 'user-data-g1-capability');
        }
        console.log(`${cfg.name}: ${summary.join('; ')}`);
      } finally {
        await page.close();
      }
    });
  }
});
