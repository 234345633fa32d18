/**
 * App URLs: what a page address asks to open, and share links.
 *
 * - `#nb=<payload>` (fragment): a whole notebook in the link. The fragment never reaches any server,
 *   so a shared notebook is not logged by the static host.
 * - `#…&cell=<name>&episode=<index>&t=<seconds>` (fragment): a deep link into the notebook.
 * - `?notebook=<URL of a .flywheel.json>`: a notebook file fetched by URL.
 * - `?dataset=<root>[&log=<csv>][&costs=<csv>]`: a dataset opened with a template notebook.
 *
 * Precedence when several are present: `#nb`, then `?notebook`, then `?dataset`.
 */
import { CELL_NAME } from '../notebook/types';
import { encodeNotebook } from './codec.ts';
import { ShareError } from './errors.ts';
import { isEpisodeIndex, isSeconds, isSourceUrl } from './schema.ts';
import type { DeepLink, SharedNotebook } from './types.ts';

/**
 * Longest share link we call safe. Browsers accept far longer ones (Chromium up to 2 MB), but links travel
 * through chat apps, mail clients, issue trackers and Safari's address bar, which truncate or refuse long
 * links well below browser limits. 8,000 is the floor RFC 9110 §4.1 recommends every sender and recipient
 * support, the widest length we can expect to survive copying. Longer links still work; the UI should
 * suggest sharing a file instead.
 */
export const MAX_SHARE_URL_LENGTH = 8000;

/** Fragment key of the notebook payload. */
export const NOTEBOOK_PARAM = 'nb';
/** Query parameters that choose what the page opens; a share link drops them (the notebook says it all). */
const ROUTE_PARAMS = ['notebook', 'dataset', 'log', 'costs', 'mcap', 'split', 'state', 'action', 'fps'] as const;
const DEEP_LINK_PARAMS = ['cell', 'episode', 't'] as const;

/** A share link and whether it is too long to share safely. */
export interface ShareLink {
  url: string;
  /** `url.length`. */
  length: number;
  /** True when longer than {@link MAX_SHARE_URL_LENGTH}: offer a `.flywheel.json` file instead. */
  tooLong: boolean;
}

/** What the page address asks to open. */
export type LocationTarget =
  | { kind: 'notebook'; /** The `#nb=` payload, for `decodeNotebook`. */ payload: string }
  | { kind: 'notebookUrl'; /** Absolute URL of a notebook file (resolved against the page). */ url: string }
  | { kind: 'dataset'; dataset: string; log?: string; costs?: string }
  | { kind: 'none' };

/** {@link LocationTarget} plus the deep link and notes about parameters that were ignored. */
export type LocationRequest = LocationTarget & {
  deepLink: DeepLink;
  /** Parameters present but ignored (malformed or overridden), in words for the user or the console. */
  warnings: string[];
};

/**
 * A link that opens `doc` (and optionally a place in it) on the app at `base`. `base` is usually
 * `location.href`: its path and unrelated query parameters are kept, its fragment and routing parameters
 * (`notebook`, `dataset`, `log`, `costs`) dropped. Throws a {@link ShareError} like `encodeNotebook`, or
 * `invalid` for a malformed deep link.
 */
export async function shareUrl(base: string | URL, doc: SharedNotebook, deepLink?: DeepLink): Promise<ShareLink> {
  const url = new URL(base);
  for (const p of ROUTE_PARAMS) url.searchParams.delete(p);
  const params = [`${NOTEBOOK_PARAM}=${await encodeNotebook(doc)}`, ...deepLinkParams(deepLink ?? {})];
  url.hash = params.join('&');
  return { url: url.href, length: url.href.length, tooLong: url.href.length > MAX_SHARE_URL_LENGTH };
}

/**
 * `href` with its deep link replaced by `deepLink` (other fragment parameters such as `nb` kept), for
 * `history.replaceState` as the user moves around. Throws a {@link ShareError} (`invalid`) for a malformed one.
 */
export function withDeepLink(href: string | URL, deepLink: DeepLink): string {
  const url = new URL(href);
  const kept = fragmentParams(url).filter(([k]) => !(DEEP_LINK_PARAMS as readonly string[]).includes(k));
  // Kept values are written back raw: `nb` payloads are base64url and need no escaping.
  const params = [...kept.map(([k, v]) => `${encodeURIComponent(k)}=${k === NOTEBOOK_PARAM ? v : encodeURIComponent(v)}`), ...deepLinkParams(deepLink)];
  url.hash = params.join('&');
  return url.href;
}

/** Read what a page address asks to open. Never throws: malformed parts are ignored and listed in `warnings`. */
export function readLocation(href: string | URL): LocationRequest {
  const url = new URL(href);
  const warnings: string[] = [];
  const fragment = new Map(fragmentParams(url));
  const deepLink = parseDeepLink(fragment, warnings);
  const query = url.searchParams;
  const target = pickTarget(url, fragment, warnings);
  if (target.kind === 'notebook' && query.get('notebook')) {
    warnings.push('"?notebook=" was ignored because the link itself holds a notebook.');
  }
  if ((target.kind === 'notebook' || target.kind === 'notebookUrl') && query.get('dataset')) {
    warnings.push('"?dataset=" was ignored because the link opens a notebook.');
  }
  return { ...target, deepLink, warnings };
}

function pickTarget(url: URL, fragment: Map<string, string>, warnings: string[]): LocationTarget {
  const payload = fragment.get(NOTEBOOK_PARAM);
  if (payload) return { kind: 'notebook', payload };
  const notebook = url.searchParams.get('notebook');
  if (notebook) {
    if (isSourceUrl(notebook)) return { kind: 'notebookUrl', url: new URL(notebook, url).href };
    warnings.push(`"?notebook=" must be an http(s) URL or a path relative to the page; ignored ${JSON.stringify(notebook.slice(0, 60))}.`);
  }
  const dataset = url.searchParams.get('dataset');
  if (dataset) {
    const target: LocationTarget = { kind: 'dataset', dataset };
    const log = url.searchParams.get('log');
    const costs = url.searchParams.get('costs');
    if (log) target.log = log;
    if (costs) target.costs = costs;
    return target;
  }
  // `?notebook=` was malformed and nothing else asks for anything.
  return { kind: 'none' };
}

/** The fragment's `key=value` pairs, percent-decoded. */
function fragmentParams(url: URL): [string, string][] {
  return [...new URLSearchParams(url.hash.replace(/^#/, ''))];
}

function parseDeepLink(fragment: Map<string, string>, warnings: string[]): DeepLink {
  const out: DeepLink = {};
  const cell = fragment.get('cell');
  if (cell !== undefined) {
    if (CELL_NAME.test(cell)) out.cell = cell;
    else warnings.push(`Ignored "cell=${cell.slice(0, 64)}": not a cell name.`);
  }
  const episode = fragment.get('episode');
  if (episode !== undefined) {
    const n = /^\d{1,15}$/.test(episode) ? Number(episode) : NaN;
    if (isEpisodeIndex(n)) out.episode = n;
    else warnings.push(`Ignored "episode=${episode.slice(0, 32)}": not an episode index.`);
  }
  const t = fragment.get('t');
  if (t !== undefined) {
    const n = /^\d{1,12}(\.\d{1,9})?$/.test(t) ? Number(t) : NaN;
    if (isSeconds(n)) out.t = n;
    else warnings.push(`Ignored "t=${t.slice(0, 32)}": not a number of seconds.`);
  }
  return out;
}

function deepLinkParams(link: DeepLink): string[] {
  const params: string[] = [];
  const problems: string[] = [];
  if (link.cell !== undefined) {
    if (CELL_NAME.test(link.cell)) params.push(`cell=${link.cell}`);
    else problems.push(`Deep link cell must be a cell name, got ${JSON.stringify(link.cell)}.`);
  }
  if (link.episode !== undefined) {
    if (isEpisodeIndex(link.episode)) params.push(`episode=${link.episode}`);
    else problems.push(`Deep link episode must be a whole number ≥ 0, got ${link.episode}.`);
  }
  if (link.t !== undefined) {
    // Millisecond precision is plenty for a video position and keeps the link short.
    if (isSeconds(link.t)) params.push(`t=${Number(link.t.toFixed(3))}`);
    else problems.push(`Deep link time must be seconds ≥ 0, got ${link.t}.`);
  }
  if (problems.length > 0) throw new ShareError('invalid', 'This place in the notebook cannot be linked to.', problems);
  return params;
}
