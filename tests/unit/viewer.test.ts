import { describe, expect, it } from 'vitest';
import {
  actionForKey,
  brushSql,
  drifted,
  episodeVideos,
  flagSpans,
  formatClock,
  frameAt,
  frameAtVideoTime,
  frameColumns,
  locateFile,
  nextSpeed,
  normaliseRect,
  onsetOf,
  overlaySql,
  pastWindow,
  rectFromDrag,
  resultColumns,
  seekTime,
  sliceEpisodesSql,
  sliceWhere,
  stepFrame,
  timeOfFrame,
  traceSql,
  type VideoInfo,
} from '../../src/lib/viewer';

describe('frame arithmetic', () => {
  it('puts a time on the nearest frame, inside the episode', () => {
    expect(frameAt(0, 15, 100)).toBe(0);
    expect(frameAt(1.0, 15, 100)).toBe(15);
    expect(frameAt(1.03, 15, 100)).toBe(15);
    expect(frameAt(1.04, 15, 100)).toBe(16);
    expect(frameAt(99, 15, 100)).toBe(99);
    expect(frameAt(-3, 15, 100)).toBe(0);
    expect(frameAt(Number.NaN, 15, 100)).toBe(0);
    expect(frameAt(2, 15, 0)).toBe(0);
  });
  it('round-trips every frame of an episode through its timestamp', () => {
    for (const fps of [10, 15, 29.97, 30, 60]) {
      for (let f = 0; f < 500; f++) expect(frameAt(timeOfFrame(f, fps), fps, 500)).toBe(f);
    }
  });
  it('steps by frames and stops at the ends', () => {
    expect(stepFrame(5, 1, 10)).toBe(6);
    expect(stepFrame(5, -10, 10)).toBe(0);
    expect(stepFrame(5, 10, 10)).toBe(9);
    expect(stepFrame(0, -1, 1)).toBe(0);
  });
  it('formats the clock', () => {
    expect(formatClock(0)).toBe('0:00.00');
    expect(formatClock(65.5)).toBe('1:05.50');
  });
});

describe('seeking inside a video file', () => {
  const v2 = { from: 0, to: null };
  const v3 = { from: 120.4, to: 128.4 }; // 8 s episode (120 frames at 15 fps) in a concatenated file
  it('seeks to the middle of the frame, offset by the episode window', () => {
    expect(seekTime(v2, 0, 15)).toBeCloseTo(1 / 30, 12);
    expect(seekTime(v2, 15, 15)).toBeCloseTo(1 + 1 / 30, 12);
    expect(seekTime(v3, 0, 15)).toBeCloseTo(120.4 + 1 / 30, 12);
    expect(seekTime(v3, 30, 15)).toBeCloseTo(122.4 + 1 / 30, 12);
  });
  it('never seeks past the window end (the next episode starts there)', () => {
    expect(seekTime(v3, 500, 15)).toBeLessThan(128.4);
    expect(frameAtVideoTime(v3, seekTime(v3, 500, 15), 15, 120)).toBe(119);
  });
  it('reads back the frame a seek targeted, for every frame, in v2.x and v3.0 windows', () => {
    for (const w of [v2, v3, { from: 3332.8, to: 3340.8 }]) {
      for (let f = 0; f < 120; f++) expect(frameAtVideoTime(w, seekTime(w, f, 15), 15, 120)).toBe(f);
    }
  });
  it('is within one frame of a deep-linked time', () => {
    for (const t of [0, 0.01, 0.5, 1.234, 3.3, 7.99]) {
      const f = frameAt(t, 15, 120);
      const current = seekTime(v3, f, 15);
      expect(Math.abs(current - v3.from - t)).toBeLessThanOrEqual(1 / 15);
    }
  });
  it('maps the frame boundaries of a playing video', () => {
    expect(frameAtVideoTime(v3, 120.4, 15, 120)).toBe(0);
    expect(frameAtVideoTime(v3, 120.4 + 1 / 15, 15, 120)).toBe(1);
    expect(frameAtVideoTime(v3, 120.4 + 1 / 15 - 0.001, 15, 120)).toBe(0);
    expect(frameAtVideoTime(v3, 100, 15, 120)).toBe(0);
  });
  it('stops playback at the window end (v3.0) or after the last frame (v2.x)', () => {
    expect(pastWindow(v3, 128.0, 15, 120)).toBe(false);
    expect(pastWindow(v3, 128.4 - 0.02, 15, 120)).toBe(true);
    expect(pastWindow(v2, 7.9, 15, 120)).toBe(false);
    expect(pastWindow(v2, 8.0, 15, 120)).toBe(true);
  });
  it('calls drift only beyond one frame', () => {
    expect(drifted(1.0, 1.05, 15)).toBe(false);
    expect(drifted(1.0, 1.1, 15)).toBe(true);
  });
});

describe('episode video paths', () => {
  const cams = [
    { key: 'observation.state', isVideo: false },
    { key: 'observation.images.top', isVideo: true },
    { key: 'observation.images.wrist', isVideo: true },
  ];
  it('formats v2.1 per-episode files from the template (chunk from chunks_size)', () => {
    const info: VideoInfo = { version: 'v2.1', chunksSize: 1000, videoPath: 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4', features: cams };
    const r = episodeVideos(info, 1234, null);
    expect(r.problems).toEqual([]);
    expect(r.videos).toEqual([
      { key: 'observation.images.top', path: 'videos/chunk-001/observation.images.top/episode_001234.mp4', from: 0, to: null },
      { key: 'observation.images.wrist', path: 'videos/chunk-001/observation.images.wrist/episode_001234.mp4', from: 0, to: null },
    ]);
  });
  it('places v3.0 cameras from the episodes table (file and window per camera)', () => {
    const info: VideoInfo = { version: 'v3.0', chunksSize: 1000, videoPath: 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4', features: cams };
    const meta = {
      'videos/observation.images.top/chunk_index': 0n,
      'videos/observation.images.top/file_index': 2n,
      'videos/observation.images.top/from_timestamp': 12.5,
      'videos/observation.images.top/to_timestamp': 20.0,
    };
    const r = episodeVideos(info, 7, meta);
    expect(r.videos).toEqual([{ key: 'observation.images.top', path: 'videos/observation.images.top/chunk-000/file-002.mp4', from: 12.5, to: 20 }]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain('observation.images.wrist');
  });
  it('says so when cameras are declared without a template', () => {
    const r = episodeVideos({ version: 'v2.1', chunksSize: 1000, videoPath: null, features: cams }, 0, null);
    expect(r.videos).toEqual([]);
    expect(r.problems[0]).toMatch(/no video_path/);
  });
  it('resolves files under a URL root or inside a picked folder', () => {
    expect(locateFile({ kind: 'url', base: 'http://h/data/demo' }, 'videos/a.mp4')).toEqual({ url: 'http://h/data/demo/videos/a.mp4' });
    const blob = new Blob(['x']);
    expect(locateFile({ kind: 'files', files: [{ path: 'demo/videos/a.mp4', file: blob }] }, 'videos/a.mp4')).toEqual({ blob });
    expect(locateFile({ kind: 'files', files: [{ path: 'demo/videos/b.mp4', file: blob }] }, 'videos/a.mp4')).toBeNull();
  });
});

describe('signals and markers', () => {
  const features = [
    { key: 'timestamp', isVideo: false, isNumeric: true, shape: [1], names: null },
    { key: 'next.reward', isVideo: false, isNumeric: true, shape: [1], names: null },
    { key: 'observation.state', isVideo: false, isNumeric: true, shape: [8], names: ['j1', 'j2'] },
    { key: 'observation.images.top', isVideo: true, isNumeric: false, shape: [96, 96, 3], names: null },
  ];
  it('offers numeric per-frame features, vectors first, bookkeeping and videos left out', () => {
    expect(frameColumns(features).map((c) => [c.column, c.width])).toEqual([
      ['observation.state', 8],
      ['next.reward', 0],
    ]);
  });
  it('offers per-frame result columns (scores) keyed by episode and frame', () => {
    const tables = [
      { name: 'frame_scores', columns: [{ name: 'episode_index', type: 'BIGINT' }, { name: 'frame_index', type: 'BIGINT' }, { name: 'score', type: 'DOUBLE' }, { name: 'why', type: 'VARCHAR' }] },
      { name: 'per_episode', columns: [{ name: 'episode_index', type: 'BIGINT' }, { name: 'rate', type: 'DOUBLE' }] },
      { name: 'frames', columns: [{ name: 'episode_index', type: 'BIGINT' }, { name: 'timestamp', type: 'FLOAT' }, { name: 'x', type: 'FLOAT' }] },
    ];
    expect(resultColumns(tables, ['frames'])).toEqual([{ table: 'frame_scores', column: 'score', names: null, width: 0 }]);
  });
  it('reads one column of one episode', () => {
    const vec = traceSql({ table: 'frames', column: 'observation.state', names: null, width: 8 }, 42, 15);
    expect(vec).toContain('FROM "frames" WHERE episode_index = 42');
    expect(vec).toContain('"observation.state"[i]');
    const scalar = traceSql({ table: 'frame_scores', column: 'score', names: null, width: 0 }, 3, 15, false);
    expect(scalar).toBe('SELECT frame_index / 15 AS t, 1 AS element, "score"::DOUBLE AS value FROM "frame_scores" WHERE episode_index = 3 ORDER BY t');
  });
  it('turns per-frame flags into spans', () => {
    const rows = [0, 1, 2, 3, 4, 5, 6].map((f) => ({ t: f / 10, v: [false, true, true, false, 1, 0, true][f] }));
    expect(flagSpans(rows, 'intervention')).toEqual([
      { label: 'intervention', start: 0.1, end: 0.2 },
      { label: 'intervention', start: 0.4, end: 0.4 },
      { label: 'intervention', start: 0.6, end: 0.6 },
    ]);
  });
  it("prefers this annotator's onset over the logged one", () => {
    expect(onsetOf(2.5, 1)).toBe(2.5);
    expect(onsetOf(undefined, 1.25)).toBe(1.25);
    expect(onsetOf(null, null)).toBeNull();
  });
});

describe('overlay and brush queries', () => {
  const spec = { column: { table: 'frames', column: 'observation.state', names: null, width: 8 }, element: 2, normalise: 'phase' as const };
  it('slices episodes with quoted equality filters', () => {
    expect(sliceWhere({ task: "it's", policy_version: 'v6', outcome: null })).toBe(`CAST("task" AS VARCHAR) = 'it''s' AND CAST("policy_version" AS VARCHAR) = 'v6'`);
    expect(sliceEpisodesSql({}, 50)).toBe('SELECT episode_index FROM episodes WHERE TRUE ORDER BY episode_index LIMIT 50');
  });
  it('names one column and a literal episode list (so frames fetches only those row groups)', () => {
    const q = overlaySql(spec, [3, 9]);
    expect(q).toContain('WHERE episode_index IN (3, 9)');
    expect(q).toContain('"observation.state"[2]');
    expect(q).toContain('max(frame_index) OVER (PARTITION BY episode_index)');
    expect(overlaySql({ ...spec, normalise: 'time' }, [])).toContain('IN (NULL)');
  });
  it('brushes with a normalised rectangle', () => {
    const q = brushSql(spec, [1], { x0: 0.8, x1: 0.2, y0: 1, y1: -1 });
    expect(q).toContain('x BETWEEN 0.2 AND 0.8 AND y BETWEEN -1 AND 1');
    expect(normaliseRect({ x0: 1, x1: 0, y0: 5, y1: 2 })).toEqual({ x0: 0, x1: 1, y0: 2, y1: 5 });
  });
  it('turns a drag into a data rectangle and ignores clicks', () => {
    const ix = (px: number) => px / 100;
    const iy = (py: number) => 10 - py / 10;
    expect(rectFromDrag({ x: 50, y: 20 }, { x: 10, y: 80 }, ix, iy)).toEqual({ x0: 0.1, x1: 0.5, y0: 2, y1: 8 });
    expect(rectFromDrag({ x: 50, y: 20 }, { x: 51, y: 21 }, ix, iy)).toBeNull();
  });
});

describe('keyboard shortcuts', () => {
  it('maps keys to actions', () => {
    expect(actionForKey({ key: 'ArrowRight' })).toEqual({ kind: 'step', frames: 1 });
    expect(actionForKey({ key: 'ArrowLeft', shiftKey: true })).toEqual({ kind: 'step', frames: -10 });
    expect(actionForKey({ key: ' ' })).toEqual({ kind: 'toggle-play' });
    expect(actionForKey({ key: 'o' })).toEqual({ kind: 'mark-onset' });
    expect(actionForKey({ key: ']' })).toEqual({ kind: 'failure', direction: 1 });
    expect(actionForKey({ key: 'ArrowRight', ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: 'x' })).toBeNull();
  });
  it('steps through the offered speeds', () => {
    expect(nextSpeed(1, 1)).toBe(2);
    expect(nextSpeed(1, -1)).toBe(0.5);
    expect(nextSpeed(4, 1)).toBe(4);
    expect(nextSpeed(0.25, -1)).toBe(0.25);
    expect(nextSpeed(1.5, 1)).toBe(2);
    expect(nextSpeed(1.5, -1)).toBe(1);
  });
});
