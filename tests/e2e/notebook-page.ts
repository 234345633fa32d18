/** Reading a notebook page in e2e specs: waiting for every cell to finish, and a cell's result grid as text. */
import type { Page } from 'playwright-core';

/** Waits until the notebook has no cell queued, running, waiting or not yet run. */
export async function settled(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="idle"],[data-cell-status="waiting"]'),
    undefined,
    { timeout },
  );
}

/** The visible rows of a cell's result grid, as arrays of cell texts (without the row-number header). */
export async function gridRows(page: Page, cell: string): Promise<string[][]> {
  return page.locator(`[data-cell="${cell}"] [role="row"][data-row-index]`).evaluateAll((rows) =>
    rows.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]')).map((c) => (c.textContent ?? '').trim())),
  );
}

/** Header names of a cell's result grid. */
export async function gridColumns(page: Page, cell: string): Promise<string[]> {
  return page.locator(`[data-cell="${cell}"] [role="columnheader"] .name`).allInnerTexts();
}
