/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// COI=1 serves the page cross-origin isolated (DuckDB then picks its threaded bundle). Both modes must work.
const coi: Record<string, string> =
  process.env.COI === '1'
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};

export default defineConfig({
  plugins: [svelte({ compilerOptions: { runes: true } })],
  // Relative base: the built dist/ works from any static host and any sub-path.
  base: './',
  publicDir: 'static',
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { headers: coi },
  preview: { headers: coi },
  test: {
    projects: [
      {
        // Unit and cross-module tests run in Node against the real DuckDB-WASM and real Parquet bytes.
        // `extends: true` keeps the Svelte plugin, worker format and optimizeDeps above.
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // End-to-end tests of the built dist/ in system Chromium (playwright-core). Needs `npm run build` first.
        // One file at a time: each spec launches its own Chromium, and two at once starve a 2-core machine.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
