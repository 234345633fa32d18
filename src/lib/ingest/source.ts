/**
 * Where a dataset's files come from, in a form that crosses the worker boundary by structured clone:
 * a URL root (same origin or CORS, e.g. the Hugging Face Hub) or files the user picked or dropped.
 */
export type SourceSpec =
  | { kind: 'url'; base: string }
  | { kind: 'files'; label: string; files: { path: string; file: Blob }[] };

/** A dataset or table to open, as a notebook declares it. */
export interface SourceDecl {
  /** Table name for single-table sources; for LeRobot datasets the canonical views are always created. */
  name: string;
  kind: 'lerobot' | 'csv';
  /** URL (absolute or relative to the page) of the dataset root or file. */
  url?: string;
  /** For CSV sidecars: `episode-log` joins this table onto `episodes` by episode id. */
  role?: 'episode-log' | 'table';
}

/** Makes a dataset root URL end with a slash so relative paths resolve inside it. */
export function normaliseBase(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
