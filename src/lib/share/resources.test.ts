import { describe, expect, it } from 'vitest';
import type { SharedNotebook } from './types.ts';
import { checkResource, isHost, resourcePolicy, withApprovedHost } from './resources.ts';
import { hostsContacted } from './hosts.ts';
import { validateNotebook } from './schema.ts';

const page = 'https://app.example/flywheel/index.html#id=abc';
const doc = (extra: Partial<SharedNotebook> = {}): SharedNotebook => ({
  version: 1,
  title: 't',
  sources: [{ name: 'dataset', kind: 'lerobot', url: 'https://huggingface.co/datasets/a/b/resolve/main/' }],
  cells: [],
  ...extra,
});

describe('checkResource', () => {
  const policy = resourcePolicy(doc({ approvedHosts: ['images.example'] }), page);

  it('allows the page origin, data: and blob:, the sources\' hosts and approved hosts', () => {
    for (const url of ['logo.png', '/x.png', './a/b.png', 'https://app.example/y.png', 'data:image/png;base64,AAAA', 'blob:https://app.example/uuid', 'https://huggingface.co/x.png', 'https://images.example/a.png', '  https://images.example/b.png  ']) {
      expect(checkResource(url, policy), url).toEqual({ ok: true });
    }
  });

  it('refuses every other host, naming it (so the reader can approve it)', () => {
    expect(checkResource('http://evil.example/x.png', policy)).toEqual({ ok: false, host: 'evil.example' });
    expect(checkResource('//evil.example/x.png', policy)).toEqual({ ok: false, host: 'evil.example' });
    // Another port or scheme of the page's own host is another origin.
    expect(checkResource('https://app.example:8443/x.png', policy)).toEqual({ ok: false, host: 'app.example:8443' });
    expect(checkResource('http://app.example/x.png', policy)).toEqual({ ok: false, host: 'app.example' });
    // A subdomain of an approved host is not approved.
    expect(checkResource('https://a.images.example/x.png', policy)).toEqual({ ok: false, host: 'a.images.example' });
  });

  it('refuses other schemes and unparsable URLs with no host to approve', () => {
    expect(checkResource('javascript:alert(1)', policy)).toEqual({ ok: false, host: null });
    expect(checkResource('ftp://files.example/x.png', policy)).toEqual({ ok: false, host: null });
    expect(checkResource('http://[bad', policy)).toEqual({ ok: false, host: null });
  });
});

describe('approved hosts', () => {
  it('are listed by hostsContacted, so the consent prompt names them', () => {
    expect(hostsContacted(doc({ approvedHosts: ['images.example', 'app.example'] }), page)).toEqual(['huggingface.co', 'images.example']);
  });

  it('withApprovedHost adds a host once, sorted', () => {
    expect(withApprovedHost({}, 'b.example')).toEqual(['b.example']);
    expect(withApprovedHost({ approvedHosts: ['c.example'] }, 'a.example')).toEqual(['a.example', 'c.example']);
    expect(withApprovedHost({ approvedHosts: ['a.example'] }, 'a.example')).toEqual(['a.example']);
  });

  it('isHost accepts host[:port] only', () => {
    for (const h of ['images.example', 'a-b.c.example:8443', '127.0.0.1', '[::1]:80', 'localhost']) expect(isHost(h), h).toBe(true);
    for (const h of ['', 'https://x.example', 'x.example/path', 'user@x.example', 'X.EXAMPLE', 'a b', 'x.example:', '-x.example', '*.example']) expect(isHost(h), h).toBe(false);
  });

  it('survive validation of a shared notebook; anything else there is refused', () => {
    const ok = validateNotebook(doc({ approvedHosts: ['images.example', 'images.example'] }));
    expect(ok.ok && ok.doc.approvedHosts).toEqual(['images.example']);
    const bad = validateNotebook({ ...doc(), approvedHosts: ['https://evil.example/', 3] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join(' ')).toMatch(/approvedHosts\[0\].*approvedHosts\[1\]/);
    expect(validateNotebook({ ...doc(), approvedHosts: 'evil.example' }).ok).toBe(false);
  });
});
