import { describe, expect, it } from 'vitest';
import type { SourceDecl } from '../ingest/source';
import { hostsContacted } from './hosts.ts';

const sources = (...urls: (string | undefined)[]): { sources: SourceDecl[] } => ({
  sources: urls.map((url, i) => ({ name: `s${i}`, kind: 'csv', ...(url === undefined ? {} : { url }) })),
});

describe('hostsContacted', () => {
  it('lists other hosts once, sorted', () => {
    const doc = sources('https://huggingface.co/datasets/a/', 'https://b.example/x.csv', 'https://huggingface.co/datasets/b/', undefined);
    expect(hostsContacted(doc, 'https://app.example')).toEqual(['b.example', 'huggingface.co']);
  });

  it('resolves relative URLs against the page (same origin: nothing to list)', () => {
    expect(hostsContacted(sources('demo/', '/data/x.csv', './y.csv'), 'https://app.example/flywheel/')).toEqual([]);
  });

  it('counts protocol-relative URLs and other ports or schemes as other hosts', () => {
    const doc = sources('//cdn.example/a.csv', 'https://app.example:8443/a.csv', 'http://app.example/a.csv');
    expect(hostsContacted(doc, 'https://app.example/index.html?x=1#nb=1.x')).toEqual(['app.example', 'app.example:8443', 'cdn.example']);
  });
});
