/** Screenshots for humans reviewing an e2e run; the directory is gitignored. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Absolute path of `tests/e2e/artifacts/`. */
export const ARTIFACTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');

/**
 * Saves a full-page PNG as `tests/e2e/artifacts/<name>.png` and returns its path.
 * Characters outside `[A-Za-z0-9._-]` in `name` become `_`, so a test title can be passed directly.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
