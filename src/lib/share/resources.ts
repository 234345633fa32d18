/**
 * Which resources a notebook may make the browser load. A shared notebook's consent prompt lists the hosts it
 * will contact (its sources, model URLs and approved hosts: {@link hostsContacted}); anything else a notebook could
 * pull in on its own, a Markdown image above all (a tracking pixel tells a third party who opened a link and when),
 * is loaded only from this page's origin, `data:`/`blob:`, or one of those hosts.
 */
import { hostsContacted } from './hosts.ts';
import type { SharedNotebook } from './types.ts';

/** Most hosts a notebook may approve; a real notebook names a handful. */
export const MAX_APPROVED_HOSTS = 50;

/** A host as `URL.host` spells it: a DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** Whether `host` is a plain host (and port) such as `images.example:8443`, lower case, nothing else. */
export function isHost(host: string): boolean {
  return host.length <= 260 && HOST.test(host);
}

/** Where resources may come from: this page's origin plus a set of hosts. */
export interface ResourcePolicy {
  /** The page's URL (relative resource URLs resolve against it). */
  page: string;
  /** Hosts (`URL.host`) resources may come from besides the page's own origin. */
  hosts: ReadonlySet<string>;
}

/** The policy for `doc` on `page`: the hosts its consent prompt lists (sources, models, approvals). */
export function resourcePolicy(doc: SharedNotebook, page: string | URL): ResourcePolicy {
  return { page: String(page), hosts: new Set(hostsContacted(doc, page)) };
}

/** What {@link checkResource} says about one URL. */
export type ResourceVerdict = { ok: true } | { ok: false; host: string | null };

/**
 * Whether the browser may load `raw` under `policy`: same origin, `data:`/`blob:`, or an approved host. A URL that
 * does not parse, or has no host (another scheme), is refused with `host: null` (nothing to approve).
 */
export function checkResource(raw: string, policy: ResourcePolicy): ResourceVerdict {
  let url: URL;
  try {
    url = new URL(raw.trim(), policy.page);
  } catch {
    return { ok: false, host: null };
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:') return { ok: true };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, host: null };
  if (url.origin === new URL(policy.page).origin) return { ok: true };
  return policy.hosts.has(url.host) ? { ok: true } : { ok: false, host: url.host };
}

/** `doc` with `host` added to its approved hosts (unchanged when already there). */
export function withApprovedHost<T extends Pick<SharedNotebook, 'approvedHosts'>>(doc: T, host: string): string[] {
  const list = doc.approvedHosts ?? [];
  return list.includes(host) ? list : [...list, host].sort();
}
