import { modelUrls } from '../score/cell.ts';
import type { SharedNotebook } from './types.ts';

/**
 * Every host other than the page's own that opening `doc` would contact, from its sources' URLs and its model
 * cells' model URLs and its approved hosts (relative ones resolved against the page, so `//other.example/x` counts). Sorted, without repeats.
 * Shown to the user for consent before anything is fetched. Redirects are not known in advance: a
 * Hugging Face URL, for one, may be served from a CDN host too.
 *
 * @param page The page's origin or full URL (`location.href`).
 */
export function hostsContacted(
  doc: Pick<SharedNotebook, 'sources'> & { cells?: SharedNotebook['cells']; approvedHosts?: string[] },
  page: string | URL,
): string[] {
  const base = new URL(page);
  // Hosts approved for images are contacted too (as soon as a Markdown cell shows one): listed like the rest.
  const hosts = new Set<string>((doc.approvedHosts ?? []).filter((h) => h !== base.host));
  const urls = [...doc.sources.map((s) => s.url), ...(doc.cells ?? []).flatMap((c) => (c.kind === 'model' ? modelUrls(c.model) : []))];
  for (const raw of urls) {
    if (!raw) continue;
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      continue; // validateNotebook refuses such URLs; nothing is fetched from them
    }
    // Origin, not host: http://same-host from an https page is a different server as far as trust goes.
    if (url.origin !== base.origin) hosts.add(url.host);
  }
  return [...hosts].sort();
}
