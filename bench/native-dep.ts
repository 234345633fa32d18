/**
 * Installs `@duckdb/node-api` (native DuckDB: the benchmark's baseline) when it is missing. It is kept out of
 * package.json on purpose: the registry this project installs from serves only its linux-x64 build, so a lock file
 * listing it cannot be verified by `npm ci` on a clean machine. `--no-save` leaves package.json and the lock alone.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { NATIVE_PACKAGE } from '../src/lib/headless/native-version.ts';

/** The native DuckDB release the benchmark compares against and the headless runner's `--engine native` uses. */
export const NATIVE_DUCKDB = NATIVE_PACKAGE;

/** True once `@duckdb/node-api` resolves, installing it first if needed. */
export function ensureNativeDuckDB(): boolean {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('@duckdb/node-api');
    return true;
  } catch {
    console.log(`Installing ${NATIVE_DUCKDB} (native DuckDB, the benchmark baseline; not saved to package.json)…`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', NATIVE_DUCKDB], { stdio: 'inherit' });
    return true;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureNativeDuckDB();
