// The canonical `episodes` view is built by the shared view module, so the app's wasm engine and the headless
// runner's native DuckDB cannot build different views; this file keeps the worker's import path.
export { buildEpisodesView, ANNOTATIONS_DDL, type OutcomeSource } from '../../src/lib/views/episodes';
