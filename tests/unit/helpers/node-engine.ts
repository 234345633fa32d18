/** The app's Node engine (real DuckDB-WASM + parquet-wasm), shared with the headless notebook runner. */
export { createNodeEngine, initParquetForNode } from '../../../src/lib/headless/node-engine';
