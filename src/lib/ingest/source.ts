import type { McapEpisodes } from '../mcap';

/**
 * Where a dataset's files come from, in a form that crosses the worker boundary by structured clone:
 * a URL root (same origin or CORS, e.g. the Hugging Face Hub) or files the user picked or dropped.
 */
export type SourceSpec =
  | { kind: 'url'; base: string; wholeFiles?: boolean }
  | { kind: 'files'; label: string; files: { path: string; file: Blob }[] };

/** A dataset or table to open, as a notebook declares it. */
export interface SourceDecl {
  /**
   * Table name for single-table sources; for LeRobot datasets the canonical views are always created. For MCAP
   * files a label only: each topic becomes its own table.
   */
  name: string;
  kind: 'lerobot' | 'csv' | 'mcap';
  /** URL (absolute or relative to the page) of the dataset root or file. */
  url?: string;
  /** For CSV sidecars: `episode-log` joins this table onto `episodes` by episode id. */
  role?: 'episode-log' | 'table';
  /**
   * For MCAP files: how the logs map onto `episodes` and `frames` (the first MCAP source's mapping applies to all
   * of them; one episode per file when absent).
   */
  episodes?: McapEpisodes;
}

/** Makes a dataset root URL end with a slash so relative paths resolve inside it. */
export function normaliseBase(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A Hugging Face Hub dataset reference: `hf:<owner>/<name>[@<revision>]`. */
export interface HubRef {
  repo: string;
  revision: string;
}

/** Parses `hf:lerobot/droid_100@v3.0` (revision defaults to `main`); null when the text is not a Hub id. */
export function parseHubId(text: string): HubRef | null {
  const m = /^hf:([A-Za-z0-9][\w.-]*\/[\w.-]+)(?:@([\w./-]+))?$/.exec(text.trim());
  if (!m) return null;
  return { repo: m[1], revision: m[2] ?? 'main' };
}

/**
 * The dataset root URL for a Hub id: files resolve at `https://huggingface.co/datasets/<repo>/resolve/<rev>/<path>`.
 * Slashes in a branch name are percent-encoded, as the Hub expects (`refs%2Fconvert%2Fparquet`).
 */
export function hubBaseUrl(ref: HubRef): string {
  return `https://huggingface.co/datasets/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/`;
}

/** Resolves what a user or a link names as a dataset (a Hub id or a URL) to a root URL. */
export function datasetUrl(text: string): string {
  const hub = parseHubId(text);
  return hub ? hubBaseUrl(hub) : text;
}
