import { formatFixed } from '../util/format';
import { ShareError, decodeNotebook, hostsContacted, notebookFromFile, readLocation, type SharedNotebook } from '../share';
import { errorMessage } from '../util/errors';
import { routeFromUrl } from './route';

/** Fragment key of a notebook kept in this browser (`#id=<local id>`): reloads restore the last edit. */
export const LOCAL_ID_PARAM = 'id';

/** What the page should do with its address. */
export type Opening =
  /** Open and run at once: the user's own notebook, the demo, or a dataset on this site. */
  | { kind: 'open'; doc: SharedNotebook; localId: string | null }
  /** Show the sources, hosts and queries, and run nothing until the user agrees. */
  | { kind: 'ask'; doc: SharedNotebook; hosts: string[]; from: 'link' | 'file' | 'dataset' }
  /** A notebook file on another site: ask before fetching it at all. */
  | { kind: 'ask-fetch'; url: string; host: string }
  | { kind: 'error'; message: string };

/** Reads notebooks kept in this browser. */
export interface LocalNotebooks {
  get(id: string): Promise<{ doc: SharedNotebook } | undefined>;
}

/** Largest notebook file fetched by `?notebook=` (a notebook is text; anything bigger is not one). */
const MAX_NOTEBOOK_FILE = 4 * 1024 * 1024;

/**
 * Decides what the page opens. Shared content (a `#nb=` link, a `?notebook=` file, a `?dataset=` on another site)
 * is never run before the user agrees; the user's own notebooks (`#id=`) and the bundled demo open at once.
 */
export async function resolveOpening(href: string, local: LocalNotebooks | null, fetchFn: typeof fetch = fetch): Promise<Opening> {
  const page = new URL(href);
  const localId = new URLSearchParams(page.hash.replace(/^#/, '')).get(LOCAL_ID_PARAM);
  if (localId && local) {
    const rec = await local.get(localId).catch(() => undefined);
    if (rec) return { kind: 'open', doc: rec.doc, localId };
  }
  const loc = readLocation(href);
  try {
    switch (loc.kind) {
      case 'notebook': {
        const doc = await decodeNotebook(loc.payload);
        return { kind: 'ask', doc, hosts: hostsContacted(doc, page), from: 'link' };
      }
      case 'notebookUrl': {
        const target = new URL(loc.url);
        if (target.origin !== page.origin) return { kind: 'ask-fetch', url: target.href, host: target.host };
        return await fetchNotebook(target.href, page, fetchFn);
      }
      case 'dataset':
      case 'none': {
        const route = routeFromUrl(href);
        if (route.foreignHosts.length) return { kind: 'ask', doc: route.doc, hosts: route.foreignHosts, from: 'dataset' };
        return { kind: 'open', doc: route.doc, localId: null };
      }
    }
  } catch (e) {
    // A link that fails validation says what is wrong with it (each problem on its own line, shown as text).
    const details = e instanceof ShareError && e.details.length ? `\n${e.details.map((d) => `- ${d}`).join('\n')}` : '';
    return { kind: 'error', message: errorMessage(e) + details };
  }
}

/** Fetches a `.flywheel.json` file (size-capped) and asks before running it. */
export async function fetchNotebook(url: string, page: URL, fetchFn: typeof fetch = fetch): Promise<Opening> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    return { kind: 'error', message: `Could not fetch the notebook file ${url} (${errorMessage(e)}). A server on another site must allow CORS.` };
  }
  if (!res.ok) return { kind: 'error', message: `The notebook file ${url} answered HTTP ${res.status}.` };
  const size = Number(res.headers.get('content-length') ?? 0);
  if (size > MAX_NOTEBOOK_FILE) return { kind: 'error', message: `${url} is ${formatFixed(size / 1048576, 1)} MB: too large to be a notebook file.` };
  const text = await res.text();
  if (text.length > MAX_NOTEBOOK_FILE) return { kind: 'error', message: `${url} is too large to be a notebook file.` };
  try {
    const doc = notebookFromFile(text);
    return { kind: 'ask', doc, hosts: hostsContacted(doc, page), from: 'file' };
  } catch (e) {
    return { kind: 'error', message: `${url} is not a Flywheel notebook: ${errorMessage(e)}` };
  }
}
