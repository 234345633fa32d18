import { describe, expect, it } from 'vitest';
import { datasetUrl, hubBaseUrl, parseHubId } from './source';

describe('Hub ids', () => {
  it.each([
    ['hf:lerobot/droid_100', { repo: 'lerobot/droid_100', revision: 'main' }],
    ['hf:lerobot/droid_1.0.1@v3.0', { repo: 'lerobot/droid_1.0.1', revision: 'v3.0' }],
    ['hf:user/data@refs/convert/parquet', { repo: 'user/data', revision: 'refs/convert/parquet' }],
  ])('%s', (id, ref) => expect(parseHubId(id)).toEqual(ref));

  it.each(['lerobot/droid_100', 'hf:', 'hf:onlyname', 'https://huggingface.co/x', 'hf:a/b@'])('rejects %s', (t) =>
    expect(parseHubId(t)).toBeNull(),
  );

  it('builds resolve URLs, encoding slashes in revisions', () => {
    expect(datasetUrl('hf:lerobot/droid_100@v3.0')).toBe('https://huggingface.co/datasets/lerobot/droid_100/resolve/v3.0/');
    expect(hubBaseUrl({ repo: 'u/d', revision: 'refs/convert/parquet' })).toBe('https://huggingface.co/datasets/u/d/resolve/refs%2Fconvert%2Fparquet/');
    expect(datasetUrl('demo/')).toBe('demo/');
  });
});
