/** `?mcap=` links: what they open, what they ask consent for, and strict validation of MCAP sources in shared notebooks. */
import { describe, expect, it } from 'vitest';
import { episodesFromParams, guessEpisodes, validateEpisodes } from '../../src/lib/mcap';
import { resolveOpening, routeFromUrl } from '../../src/lib/session';
import { decodeNotebook, encodeNotebook, validateNotebook } from '../../src/lib/share';

describe('?mcap=', () => {
  it('opens every named file (repeatable) with the MCAP notebook; same-origin files need no consent', () => {
    const r = routeFromUrl('http://localhost:5173/?mcap=logs/a.mcap&mcap=logs/b.mcap');
    expect(r.doc.title).toBe('MCAP logs');
    expect(r.doc.sources).toEqual([
      { name: 'mcap_0', kind: 'mcap', url: 'logs/a.mcap' },
      { name: 'mcap_1', kind: 'mcap', url: 'logs/b.mcap' },
    ]);
    expect(r.foreignHosts).toEqual([]);
  });

  it('with a deployment log and a cost sheet opens the health notebook; a mapping rides on the first source', () => {
    const r = routeFromUrl('http://localhost:5173/?mcap=a.mcap&log=log.csv&costs=c.csv&split=gap:2.5:/joint_states&state=/joint_states.position&action=/cmd.data&fps=15');
    expect(r.doc.title).toBe('Flywheel health');
    expect(r.doc.sources[0].episodes).toEqual({
      split: { kind: 'gap', seconds: 2.5, topic: '/joint_states' },
      state: [{ topic: '/joint_states', field: 'position' }],
      action: [{ topic: '/cmd', field: 'data' }],
      fps: 15,
    });
    expect(r.doc.sources.slice(1).map((s) => [s.name, s.role])).toEqual([['deployments', 'episode-log'], ['costs', 'table']]);
  });

  it('a file on another site is not fetched before the user agrees', async () => {
    let fetched = 0;
    const o = await resolveOpening('http://localhost:5173/?mcap=http://127.0.0.1:9000/big.mcap', null, async () => {
      fetched++;
      return new Response('');
    });
    expect(o.kind).toBe('ask');
    expect(o.kind === 'ask' && o.hosts).toEqual(['127.0.0.1:9000']);
    expect(o.kind === 'ask' && o.from).toBe('dataset');
    expect(fetched).toBe(0);
  });

  it('a malformed mapping is an error saying what is wrong, not a silent default', async () => {
    const o = await resolveOpening('http://localhost:5173/?mcap=a.mcap&state=/joint_states', null);
    expect(o).toEqual({ kind: 'error', message: '"/joint_states" names no field: write <topic>.<field>, e.g. /joint_states.position.' });
    expect(() => episodesFromParams(new URLSearchParams('split=sometimes'))).toThrow(/split=sometimes is not file, marker:<topic> or gap:<seconds>:<topic>/);
  });
});

describe('MCAP sources in shared notebooks', () => {
  const base = { version: 1 as const, title: 't', cells: [] };
  const episodes = { split: { kind: 'marker', topic: '/episode' }, state: [{ topic: '/joint_states', field: 'position' }], action: [], fps: 10 };

  it('round-trip through a share link with their mapping', async () => {
    const doc = { ...base, sources: [{ name: 'logs', kind: 'mcap' as const, url: 'https://example.org/a.mcap', episodes: episodes as never }] };
    expect(await decodeNotebook(await encodeNotebook(doc))).toEqual(doc);
  });

  it('are validated strictly: unknown keys, mappings on other kinds, bad values', () => {
    const bad = validateNotebook({
      ...base,
      sources: [
        { name: 'a', kind: 'mcap', url: 'a.mcap', episodes: { ...episodes, extra: 1 } },
        { name: 'b', kind: 'csv', url: 'b.csv', episodes },
        { name: 'c', kind: 'mcap', url: 'javascript:alert(1)' },
        { name: 'd', kind: 'mcap', episodes: { split: { kind: 'gap', topic: '/x', seconds: -1 }, state: [{ topic: '/x', field: 'a;drop' }], action: [], fps: 0 } },
      ],
    });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors;
    expect(errors).toEqual([
      'Unknown key "extra" in sources[0].episodes (allowed: split, state, action, fps).',
      'sources[1].episodes is only allowed on MCAP sources.',
      'sources[2].url must be an http(s) URL or a path relative to the page, got "javascript:alert(1)".',
      'sources[3].episodes.split.seconds must be a number of seconds in (0, 86400].',
      'sources[3].episodes.state[0].field must be a field name or dotted path (e.g. position, pose.position.x).',
      'sources[3].episodes.fps must be a number of frames per second in (0, 10000].',
    ]);
    expect(validateEpisodes(episodes).value).toEqual(episodes);
  });
});

describe('the mapping guessed when none is given', () => {
  it('takes the state from a JointState topic and the action from a command topic', () => {
    const topics = [
      { topic: '/episode', schema: 'std_msgs/msg/String', error: null },
      { topic: '/joint_states', schema: 'sensor_msgs/msg/JointState', error: null },
      { topic: '/cmd', schema: 'std_msgs/msg/Float64MultiArray', error: null },
    ];
    expect(guessEpisodes(topics)).toEqual({ split: { kind: 'file' }, state: [{ topic: '/joint_states', field: 'position' }], action: [{ topic: '/cmd', field: 'data' }], fps: 10 });
    expect(guessEpisodes([{ topic: '/imu/data', schema: 'sensor_msgs/msg/Imu', error: null }])).toEqual({ split: { kind: 'file' }, state: [], action: [], fps: 10 });
  });
});
