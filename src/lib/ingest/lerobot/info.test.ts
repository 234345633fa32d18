import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatTemplate, episodeTemplateVars, normaliseNames, parseInfo, DatasetFormatError } from '.';
import { SAMPLES } from '../../../../tests/unit/helpers/fs-source';

describe('formatTemplate', () => {
  const cases: [string, Record<string, number | string>, string][] = [
    ['data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet', { chunk_index: 1, file_index: 42 }, 'data/chunk-001/file-042.parquet'],
    ['data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet', episodeTemplateVars(1234, 1000), 'data/chunk-001/episode_001234.parquet'],
    // a real v2.1 copy uses {chunk_index} where lerobot writes {episode_chunk}
    ['data/chunk-{chunk_index:03d}/episode_{episode_index:06d}.parquet', episodeTemplateVars(5, 1000), 'data/chunk-000/episode_000005.parquet'],
    ['videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4', { video_key: 'observation.images.top', chunk_index: 0, file_index: 0 }, 'videos/observation.images.top/chunk-000/file-000.mp4'],
  ];
  it.each(cases)('%s', (tpl, vars, expected) => expect(formatTemplate(tpl, vars)).toBe(expected));

  it('names an unknown placeholder', () => {
    expect(() => formatTemplate('a/{mystery}.parquet', {})).toThrow(/\{mystery\}/);
  });
});

describe('normaliseNames', () => {
  it.each([
    [null, null],
    [['a', 'b'], ['a', 'b']],
    [[['a', 'b']], ['a', 'b']],
    [{ motors: ['m1', 'm2'] }, ['m1', 'm2']],
    [{ axes: ['x', 'y', 'z'] }, ['x', 'y', 'z']],
  ])('%j', (input, expected) => expect(normaliseNames(input)).toEqual(expected));
});

describe('parseInfo', () => {
  it('reads the real v2.1 sample', () => {
    const info = parseInfo(readFileSync(path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train/meta/info.json'), 'utf8'));
    expect(info.version).toBe('v2.1');
    expect(info.totalFrames).toBe(35965);
    const video = info.features.filter((f) => f.isVideo);
    expect(video.length).toBeGreaterThan(0);
    expect(info.features.find((f) => f.key === 'action')?.isNumeric).toBe(true);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"codebase_version":"v1.6"}', /Unsupported LeRobot codebase_version "v1.6"/],
    ['{"codebase_version":"v3.0","fps":30,"total_episodes":1,"total_frames":1,"features":{}}', /data_path/],
    ['{"codebase_version":"v3.0","fps":"x","total_episodes":1,"total_frames":1,"data_path":"d","features":{}}', /"fps" must be a number/],
  ])('rejects %s with a clear message', (text, message) => {
    expect(() => parseInfo(text)).toThrow(DatasetFormatError);
    expect(() => parseInfo(text)).toThrow(message);
  });
});
