/**
 * The native DuckDB release the runner and the benchmark use, installed on demand by bench/native-dep.ts (kept out
 * of package.json: the registry serves only its linux-x64 build).
 */
export const NATIVE_PACKAGE = '@duckdb/node-api@1.5.6-r.1';
