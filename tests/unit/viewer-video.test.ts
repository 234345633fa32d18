import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mp4Walk } from '../../src/lib/demo/video-mp4';
import { DEMO_VIDEO } from '../../src/lib/demo/video-encode';
import { readTimecode, timecodeFrame, writeVideoFixture, VIDEO_FIXTURE, VIDEO_FIXTURE_DIR } from '../fixtures/gen/video-fixture';
import { hashTree } from './helpers/hash-tree';

const repo = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'flywheel-video-fixture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);

/** Sample count, keyframe sample numbers and header times of a single-track mp4. */
function describeMp4(bytes: Uint8Array): { samples: number; sync: number[]; times: number[] } {
  const boxes = mp4Walk(bytes);
  const box = (t: string) => boxes.find((b) => b.type === t)!;
  const stsz = box('stsz');
  const stss = box('stss');
  const samples = u32(bytes, stsz.start + 16);
  const n = u32(bytes, stss.start + 12);
  const sync = Array.from({ length: n }, (_, i) => u32(bytes, stss.start + 16 + 4 * i));
  const times = ['mvhd', 'tkhd', 'mdhd'].flatMap((t) => [u32(bytes, box(t).start + 12), u32(bytes, box(t).start + 16)]);
  return { samples, sync, times };
}

describe('the v2.1 video fixture', () => {
  it('is exactly what the fixture generator writes', async () => {
    await writeVideoFixture(tmp);
    expect(hashTree(tmp)).toEqual(hashTree(path.join(repo, VIDEO_FIXTURE_DIR)));
  });

  it('draws a timecode that reads back', () => {
    for (const inverted of [false, true]) {
      for (const [episode, frame] of [[0, 0], [1, 23], [2, 54], [15, 255]]) {
        expect(readTimecode(timecodeFrame(VIDEO_FIXTURE.size, episode, frame, inverted), VIDEO_FIXTURE.size, inverted)).toEqual({ episode, frame });
      }
    }
  });

  it('has one mp4 per episode and camera (but the one left out), every frame, keyframes listed', () => {
    const dir = path.join(repo, VIDEO_FIXTURE_DIR, 'videos/chunk-000');
    for (const key of VIDEO_FIXTURE.cameras) {
      VIDEO_FIXTURE.lengths.forEach((n, e) => {
        const file = path.join(dir, key, `episode_${String(e).padStart(6, '0')}.mp4`);
        const missing = VIDEO_FIXTURE.missing.some(([me, mk]) => me === e && mk === key);
        expect(readdirSync(path.join(dir, key)).includes(path.basename(file))).toBe(!missing);
        if (missing) return;
        const d = describeMp4(new Uint8Array(readFileSync(file)));
        expect(d.samples).toBe(n);
        expect(d.sync).toEqual(Array.from({ length: Math.ceil(n / 10) }, (_, i) => 1 + 10 * i));
        expect(d.times).toEqual([0, 0, 0, 0, 0, 0]);
      });
    }
  });
});

describe('the committed demo videos (v3.0, several episodes per mp4)', () => {
  it('hold every frame of the dataset, with a keyframe every GOP and no wall-clock stamps', () => {
    const demo = path.join(repo, 'static/demo');
    const info = JSON.parse(readFileSync(path.join(demo, 'meta/info.json'), 'utf8'));
    expect(info.video_path).toBe('videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4');
    const key = Object.keys(info.features).find((k) => info.features[k].dtype === 'video')!;
    const dir = path.join(demo, 'videos', key, 'chunk-000');
    let frames = 0;
    for (const f of readdirSync(dir).sort()) {
      const d = describeMp4(new Uint8Array(readFileSync(path.join(dir, f))));
      frames += d.samples;
      expect(d.sync).toEqual(Array.from({ length: Math.ceil(d.samples / DEMO_VIDEO.gop) }, (_, i) => 1 + DEMO_VIDEO.gop * i));
      expect(d.times).toEqual([0, 0, 0, 0, 0, 0]);
    }
    expect(frames).toBe(info.total_frames);
  });
});
