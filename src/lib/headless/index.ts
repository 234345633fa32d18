/**
 * The headless notebook runner (`npm run notebook`, cli.ts): a notebook run in Node on DuckDB-WASM (the app's own
 * engine) or native DuckDB, results written to files, an HTML report, and the comparison of two engines' results.
 * Node only (file system, native modules): the app never imports this folder.
 */
export { runNotebook, HeadlessSession, jsonSafe, type HeadlessCellResult, type HeadlessOptions } from './run';
export { type HeadlessEngine, type EngineName, type ResultFormat } from './engine';
export { compareRuns, orderKeys, sameValue, type CellRows } from './compare';
export { NativeDb, NATIVE_PACKAGE, loadNodeApi, installCommand, type NativeOptions } from './native-db';
