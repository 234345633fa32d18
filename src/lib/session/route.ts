import { exploreNotebook, healthNotebook, demoSources } from '../notebook/templates';
import type { NotebookDoc } from '../notebook/types';
import { datasetUrl, type SourceDecl } from '../ingest/source';
import { episodesFromParams } from '../mcap/episodes';
import { mcapNotebook } from './mcap-notebook';

/** What the page URL asks to open. */
export interface Route {
  doc: NotebookDoc;
  /** Hosts other than this page's that opening would contact; the user must agree first. */
  foreignHosts: string[];
}

/**
 * Reads `?dataset=<root URL>` or `?mcap=<file URL>` (repeatable), each with optional `&log=<deployment log CSV>` and
 * `&costs=<cost sheet CSV>`; MCAP logs also take `split=`, `state=`, `action=` and `fps=` (see episodesFromParams).
 * With a log the health notebook opens. Without parameters the bundled demo flywheel opens with its health notebook. Throws for a malformed mapping.
 */
export function routeFromUrl(href: string): Route {
  const url = new URL(href);
  const dataset = url.searchParams.get('dataset');
  const mcap = url.searchParams.getAll('mcap').filter((m) => m.trim());
  if (!dataset && mcap.length) return mcapRoute(url, mcap);
  if (!dataset) return { doc: healthNotebook(demoSources()), foreignHosts: [] };
  // `hf:<owner>/<name>@<rev>` names a Hub dataset; it is stored as its resolve URL so consent shows the host.
  const sources: SourceDecl[] = [{ name: 'dataset', kind: 'lerobot', url: datasetUrl(dataset) }];
  const log = url.searchParams.get('log');
  const costs = url.searchParams.get('costs');
  if (log) sources.push({ name: 'deployments', kind: 'csv', url: log, role: 'episode-log' });
  if (costs) sources.push({ name: 'costs', kind: 'csv', url: costs, role: 'table' });
  // A deployment log is what the health notebook reads; without a cost sheet its cost cell says what to add.
  const doc = log ? healthNotebook(sources) : exploreNotebook(sources);
  return { doc, foreignHosts: foreignHosts(sources, url) };
}

/** `?mcap=a&mcap=b[&log=…&costs=…][&split=…&state=…&action=…&fps=…]`: MCAP logs, one episode per file by default. */
function mcapRoute(url: URL, files: string[]): Route {
  const episodes = episodesFromParams(url.searchParams);
  const sources: SourceDecl[] = files.map((f, i) => ({ name: `mcap_${i}`, kind: 'mcap', url: f }));
  if (episodes) sources[0].episodes = episodes;
  const log = url.searchParams.get('log');
  const costs = url.searchParams.get('costs');
  if (log) sources.push({ name: 'deployments', kind: 'csv', url: log, role: 'episode-log' });
  if (costs) sources.push({ name: 'costs', kind: 'csv', url: costs, role: 'table' });
  const doc = log ? healthNotebook(sources) : mcapNotebook(sources);
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
