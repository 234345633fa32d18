/**
 * Links people already shared must keep opening: decode the committed golden links (made by
 * tests/fixtures/share/generate.ts with an earlier build of the codec) and compare with what they held.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeNotebook } from './codec.ts';
import { readLocation } from './url.ts';

const dir = fileURLToPath(new URL('../../../tests/fixtures/share/', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4));

describe('golden share links', () => {
  it('has fixtures', () => {
    expect(names).toEqual(expect.arrayContaining(['minimal', 'health', 'unicode']));
  });

  for (const name of names) {
    it(`${name}.txt still decodes to ${name}.json`, async () => {
      const url = readFileSync(`${dir}${name}.txt`, 'utf8').trim();
      const expected = JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
      const read = readLocation(url);
      expect(read.kind).toBe('notebook');
      expect(read.deepLink).toEqual(expected.deepLink);
      expect(read.warnings).toEqual([]);
      if (read.kind === 'notebook') expect(await decodeNotebook(read.payload)).toEqual(expected.doc);
    });
  }
});
