import { exploreNotebook, healthNotebook, demoSources } from '../notebook/templates';
import type { NotebookDoc } from '../notebook/types';
import { datasetUrl, type SourceDecl } from '../ingest/source';

/** What the page URL asks to open. */
export interface Route {
  doc: NotebookDoc;
  /** Hosts other than this page's that opening would contact; the user must agree first. */
  foreignHosts: string[];
}

/**
 * Reads `?dataset=<root URL>` (with optional `&log=<deployment log CSV>` and `&costs=<cost sheet CSV>`).
 * Without parameters the bundled demo flywheel opens with its health notebook.
 */
export function routeFromUrl(href: string): Route {
  const url = new URL(href);
  const dataset = url.searchParams.get('dataset');
  if (!dataset) return { doc: healthNotebook(demoSources()), foreignHosts: [] };
  // `hf:<owner>/<name>@<rev>` names a Hub dataset; it is stored as its resolve URL so consent shows the host.
  const sources: SourceDecl[] = [{ name: 'dataset', kind: 'lerobot', url: datasetUrl(dataset) }];
  const log = url.searchParams.get('log');
  const costs = url.searchParams.get('costs');
  if (log) sources.push({ name: 'deployments', kind: 'csv', url: log, role: 'episode-log' });
  if (costs) sources.push({ name: 'costs', kind: 'csv', url: costs, role: 'table' });
  const doc = log && costs ? healthNotebook(sources) : exploreNotebook(sources);
  return { doc, foreignHosts: foreignHosts(sources, url) };
}

/** Hosts named by the sources that differ from the page's own origin. */
export function foreignHosts(sources: SourceDecl[], page: URL): string[] {
  const hosts = new Set<string>();
  for (const s of sources) {
    if (!s.url) continue;
    let u: URL;
    try {
      u = new URL(s.url, page);
    } catch {
      continue;
    }
    if (u.origin !== page.origin) hosts.add(u.host);
  }
  return [...hosts];
}
