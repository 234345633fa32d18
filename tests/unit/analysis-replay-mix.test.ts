/**
 * Replay-mix manifests: exact ratios (±1 sample per stage), every baseline episode reachable, the TS reference
 * and the SQL agreeing row for row, set definitions of every kind, and the exports.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import {
  MIX_POLICIES,
  defaultReplayMixForm,
  designMix,
  manifestRows,
  manifestToCsv,
  manifestToJson,
  mixHash,
  replayManifestSql,
  replayPreviewSql,
  replayWarningsSql,
  stageShares,
  validateReplayMixForm,
  type ManifestRow,
  type MixPolicy,
  type ReplayMixForm,
} from '../../src/lib/analysis';

let engine: Engine;

/*
 * 14 episodes: 0–9 tagged "base" (5 also "A"), 10–12 "A", 13 "B". Episode 5 goes to A (targeted sets come
 * first), so baseline = 9 episodes, A = 4, B = 1; the new batch is 5 targeted episodes.
 */
beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  const tags = (i: number): string => (i === 5 ? 'base;A' : i < 10 ? 'base' : i < 13 ? 'A' : 'B');
  const objects = ['cube', 'mug'];
  const rows = Array.from({ length: 16 }, (_, i) => `(${i}, '${tags(i)}', '${objects[i % 2]}', ${i % 3 === 0 ? `'collision'` : 'NULL'}, '${i === 10 ? 'targeted grasp_failure' : ''}', 'pick')`);
  await engine.exec(`CREATE TABLE mix_eps AS SELECT * FROM (VALUES ${rows.join(', ')}) v(episode_index, tags, object_type, failure_category, notes, task)`);
  // Episodes 14 and 15 carry no tag we select: outside the mix.
  await engine.exec(`UPDATE mix_eps SET tags = 'other' WHERE episode_index >= 14`);
});

function form(policy: MixPolicy, over: Partial<ReplayMixForm> = {}): ReplayMixForm {
  const f = defaultReplayMixForm();
  f.columns.table = 'mix_eps';
  f.columns.conditionColumns = ['object_type'];
  f.baseline = { name: 'baseline', kind: 'tag', tag: 'base' };
  f.targeted = [
    { name: 'A', kind: 'tag', tag: 'A' },
    { name: 'B', kind: 'tag', tag: 'B' },
  ];
  return { ...f, policy, bufferMultiple: 2, seed: 7, ...over };
}

const plain = {
  baseline: { name: 'baseline', episodes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  targeted: [
    { name: 'A', episodes: [5, 10, 11, 12] },
    { name: 'B', episodes: [13] },
  ],
};

async function sqlManifest(f: ReplayMixForm): Promise<ManifestRow[]> {
  return manifestRows(await engine.rows(replayManifestSql(f)));
}

function sum(rows: ManifestRow[], pick: (r: ManifestRow) => boolean, of: (r: ManifestRow) => number = (r) => r.samples): number {
  return rows.filter(pick).reduce((s, r) => s + of(r), 0);
}

describe('designMix (TS reference)', () => {
  it('65/35 with a buffer of 2 × 5: baseline 7 samples, A 2 and B 1 by largest remainder, weights 0.65/9 and 0.35/5', () => {
    const d = designMix({ ...plain, policy: MIX_POLICIES.fixed_65_35, bufferMultiple: 2, seed: 7 });
    expect(d.stageSize).toBe(10);
    // round(0.65 · 10) = 7; targeted 3 split 4:1 → 2.4 and 0.6 → floors 2, 0, the leftover to the larger remainder (B).
    expect(d.stages.map((s) => [s.set, s.episodes, s.samples])).toEqual([
      ['baseline', 9, 7],
      ['A', 4, 2],
      ['B', 1, 1],
    ]);
    const base = d.rows.filter((r) => r.set === 'baseline');
    expect(base.map((r) => r.episode_index)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
    for (const r of base) expect(r.weight).toBeCloseTo(0.65 / 9, 15);
    for (const r of d.rows.filter((x) => x.set !== 'baseline')) expect(r.weight).toBeCloseTo(0.35 / 5, 15);
    // The 7 baseline samples go to the first 7 episodes in hash order; the last 2 get none (but keep their weight).
    const order = [...base].sort((a, b) => mixHash(a.episode_index, 7) - mixHash(b.episode_index, 7) || a.episode_index - b.episode_index);
    expect(order.map((r) => r.samples)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(d.warnings.join(' ')).toMatch(/^2 of 9 baseline episodes get no whole sample in any stage; .* bufferMultiple ≥ about 2\.8/);
  });

  it('a curriculum works through the whole baseline across stages (9 + 7 + 5 samples ≥ 9 episodes)', () => {
    const d = designMix({ ...plain, policy: MIX_POLICIES.curriculum_90_70_50, bufferMultiple: 2, seed: 7 });
    expect(d.stages.filter((s) => s.set === 'baseline').map((s) => s.samples)).toEqual([9, 7, 5]);
    const perEpisode = new Map<number, number>();
    for (const r of d.rows.filter((x) => x.set === 'baseline')) perEpisode.set(r.episode_index, (perEpisode.get(r.episode_index) ?? 0) + r.samples);
    expect([...perEpisode.values()].every((s) => s >= 2)).toBe(true);
    expect(d.warnings).toEqual([]);
  });

  it('hits every requested ratio within ±1 sample per stage and never drops a baseline episode (many random designs)', () => {
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let trial = 0; trial < 300; trial++) {
      const nBase = 1 + rand(400);
      const sets = 1 + rand(3);
      let next = nBase;
      const targeted = Array.from({ length: sets }, (_, i) => ({ name: `t${i}`, episodes: Array.from({ length: 1 + rand(60) }, () => next++), weight: rand(2) ? undefined : 0.5 + rand(5) }));
      const policies: MixPolicy[] = [MIX_POLICIES.fixed_65_35, MIX_POLICIES.replay_50_50, MIX_POLICIES.curriculum_90_70_50, { kind: 'fixed', baselineShare: (1 + rand(98)) / 100 }];
      const policy = policies[rand(policies.length)];
      const bufferMultiple = [0.5, 1, 3, 10, 2.5][rand(5)];
      const d = designMix({ baseline: { name: 'base', episodes: Array.from({ length: nBase }, (_, i) => i) }, targeted, policy, bufferMultiple, seed: rand(1000) });
      const nT = targeted.reduce((s, t) => s + t.episodes.length, 0);
      expect(d.stageSize).toBe(Math.round(bufferMultiple * nT));
      stageShares(policy).forEach((b, i) => {
        const stage = i + 1;
        const rows = d.rows.filter((r) => r.stage === stage);
        const base = sum(rows, (r) => r.set === 'base');
        expect(Math.abs(base - b * d.stageSize)).toBeLessThanOrEqual(1);
        expect(sum(rows, () => true)).toBe(d.stageSize);
        // Every baseline episode is listed with a positive weight; weights sum to 1; the baseline's to b.
        expect(rows.filter((r) => r.set === 'base').length).toBe(nBase);
        expect(rows.every((r) => r.weight > 0)).toBe(true);
        expect(sum(rows, () => true, (r) => r.weight)).toBeCloseTo(1, 9);
        expect(sum(rows, (r) => r.set === 'base', (r) => r.weight)).toBeCloseTo(b, 9);
        // Uniform within a set: samples differ by at most one between episodes of a set.
        for (const name of ['base', ...targeted.map((t) => t.name)]) {
          const s = rows.filter((r) => r.set === name).map((r) => r.samples);
          expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
        }
      });
      // Across the run, the baseline gets a whole sample per episode whenever its budget allows.
      const budget = d.stages.filter((s) => s.set === 'base').reduce((s, x) => s + x.samples, 0);
      if (budget >= nBase) {
        const got = new Set(d.rows.filter((r) => r.set === 'base' && r.samples > 0).map((r) => r.episode_index));
        expect(got.size).toBe(nBase);
      }
    }
  });

  it('refuses an empty baseline or empty targeted sets', () => {
    expect(() => designMix({ baseline: { name: 'b', episodes: [1] }, targeted: [{ name: 't', episodes: [1] }], policy: MIX_POLICIES.fixed_65_35, bufferMultiple: 10, seed: 1 })).toThrow(/baseline set "b" selects no episode/);
    expect(() => designMix({ baseline: { name: 'b', episodes: [1] }, targeted: [{ name: 't', episodes: [] }], policy: MIX_POLICIES.fixed_65_35, bufferMultiple: 10, seed: 1 })).toThrow(/targeted sets select no episode/);
  });
});

describe('replay_manifest SQL', () => {
  for (const [name, policy] of Object.entries(MIX_POLICIES)) {
    it(`matches the TS reference row for row (${name}, several seeds and buffers)`, async () => {
      for (const [seed, bufferMultiple] of [[7, 2], [0, 10], [2147483647, 0.5], [99, 3]]) {
        const f = form(policy, { seed, bufferMultiple });
        const sql = await sqlManifest(f);
        const ts = designMix({ ...plain, policy, bufferMultiple, seed }).rows;
        expect(sql.map((r) => [r.stage, r.episode_index, r.set, r.samples])).toEqual(ts.map((r) => [r.stage, r.episode_index, r.set, r.samples]));
        sql.forEach((r, i) => expect(r.weight).toBeCloseTo(ts[i].weight, 15));
      }
    });
  }

  it('respects explicit set weights and a fixed new batch size', async () => {
    const f = form(MIX_POLICIES.replay_50_50, { newBatchSize: 8 });
    f.targeted[1].weight = 3; // A weighs 4 (its size), B 3
    const rows = await sqlManifest(f);
    // Stage 16 samples: baseline 8; targeted 8 split 4:3 → 4.571…, 3.428… → 4 + 1 (larger remainder) and 3.
    expect(sum(rows, (r) => r.set === 'baseline')).toBe(8);
    expect(sum(rows, (r) => r.set === 'A')).toBe(5);
    expect(sum(rows, (r) => r.set === 'B')).toBe(3);
    expect(rows.find((r) => r.set === 'B')!.weight).toBeCloseTo((0.5 * 3) / 7, 15);
    const ts = designMix({ ...plain, targeted: [plain.targeted[0], { ...plain.targeted[1], weight: 3 }], policy: f.policy, bufferMultiple: 2, newBatchSize: 8, seed: 7 });
    expect(rows.map((r) => r.samples)).toEqual(ts.rows.map((r) => r.samples));
  });

  it('selects sets by failure mode (targeted-at), condition value, WHERE clause and "all"', async () => {
    const f = form(MIX_POLICIES.fixed_65_35);
    f.columns.targetedTag = 'A';
    f.targeted = [
      { name: 'grasp', kind: 'failure_mode', mode: 'grasp_failure' }, // episode 10: tagged A, notes "targeted grasp_failure"
      { name: 'mugs', kind: 'condition', column: 'object_type', value: 'mug' },
      { name: 'late', kind: 'where', where: 'episode_index >= 14' },
    ];
    f.baseline = { name: 'rest', kind: 'all' };
    const rows = (await sqlManifest(f)).filter((r) => r.stage === 1);
    const members = (set: string): number[] => rows.filter((r) => r.set === set).map((r) => r.episode_index);
    expect(members('grasp')).toEqual([10]);
    // 15 is a mug and late: the earlier set (mugs) keeps it.
    expect(members('mugs')).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(members('late')).toEqual([14]);
    expect(members('rest')).toEqual([0, 2, 4, 6, 8, 12]);
  });

  it('stops with a message when the baseline selects nothing', async () => {
    const f = form(MIX_POLICIES.fixed_65_35);
    f.baseline = { name: 'none', kind: 'tag', tag: 'nope' };
    await expect(engine.rows(replayManifestSql(f))).rejects.toThrow(/The baseline set "none" selects no episode/);
  });

  it('validates the form', () => {
    const f = form({ kind: 'curriculum', stages: [{ baselineShare: 0.9 }, { baselineShare: 1 }] });
    f.targeted.push({ name: 'A', kind: 'where', where: '1=1; DROP TABLE x' });
    f.seed = -1;
    const errors = validateReplayMixForm(f).join(' ');
    expect(errors).toMatch(/Stage 2 baseline share must be a number more than 0 and less than 1/);
    expect(errors).toMatch(/must not contain ";"/);
    expect(errors).toMatch(/Set names must differ/);
    expect(errors).toMatch(/seed must be a whole number/);
  });
});

describe('replay preview and warnings', () => {
  it('shares in the mix vs the data and the baseline, effective samples per episode, and warnings', async () => {
    const f = form(MIX_POLICIES.fixed_65_35);
    await engine.exec(`CREATE OR REPLACE TABLE replay_manifest AS ${replayManifestSql(f)}`);
    await engine.exec(`CREATE OR REPLACE TABLE replay_preview AS ${replayPreviewSql(f)}`);
    const preview = await engine.rows(`SELECT * FROM replay_preview`);
    const row = (dim: string, value: string) => preview.find((r) => r.dimension === dim && r.value === value)!;
    // Sets: baseline 7 of 10 samples over 9 episodes; A 2 over 4; B 1 over 1; 2 of 16 episodes outside.
    expect([Number(row('set', 'baseline').samples), Number(row('set', 'baseline').episodes)]).toEqual([7, 9]);
    expect(Number(row('set', 'baseline').mix_share)).toBeCloseTo(0.7, 15);
    expect(Number(row('set', 'baseline').samples_per_episode)).toBeCloseTo(7 / 9, 15);
    expect(Number(row('set', 'B').samples_per_episode)).toBe(1);
    expect(Number(row('set', '(not in the mix)').data_share)).toBeCloseTo(2 / 16, 15);
    // object_type: baseline episodes 0–4, 6–9 hold 4 mugs (1, 3, 7, 9) of 9.
    expect(Number(row('object_type', 'mug').baseline_share)).toBeCloseTo(4 / 9, 15);
    expect(Number(row('object_type', 'mug').data_share)).toBeCloseTo(8 / 16, 15);
    const mugSamples = (await engine.rows(`SELECT sum(samples) AS s FROM replay_manifest WHERE episode_index % 2 = 1`))[0].s;
    expect(Number(row('object_type', 'mug').mix_share)).toBeCloseTo(Number(mugSamples) / 10, 15);
    expect(Number(row('object_type', 'mug').drift_points)).toBeCloseTo(100 * (Number(mugSamples) / 10 - 4 / 9), 12);
    // Failure mode: the targeted episode 10 counts for the mode it went after.
    expect(row('failure_mode', 'grasp_failure')).toBeUndefined(); // "A" is not the targeted tag here
    const warnings = await engine.rows(replayWarningsSql(f));
    expect(warnings.map((w) => w.warning)).toContain('unsampled_baseline');
    expect(String(warnings.find((w) => w.warning === 'unsampled_baseline')!.detail)).toMatch(/^2 of 9 baseline episodes get no whole sample .* bufferMultiple ≥ about 2\.8 gives each one a sample\.$/);
  });

  it('warns when targeted data dominates the run, and says "none" when all is well', async () => {
    const heavy = form({ kind: 'fixed', baselineShare: 0.2 }, { bufferMultiple: 20, limits: { maxTargetedShare: 0.5, maxDriftPoints: 100 } });
    await engine.exec(`CREATE OR REPLACE TABLE replay_manifest AS ${replayManifestSql(heavy)}`);
    await engine.exec(`CREATE OR REPLACE TABLE replay_preview AS ${replayPreviewSql(heavy)}`);
    const w = await engine.rows(replayWarningsSql(heavy));
    expect(w.map((x) => x.warning)).toEqual(['targeted_share']);
    expect(String(w[0].detail)).toMatch(/^Targeted data is 80\.0% of all samples over the run \(limit 50%\)/);
    const calm = form(MIX_POLICIES.fixed_65_35, { bufferMultiple: 20, limits: { maxTargetedShare: 0.5, maxDriftPoints: 100 } });
    await engine.exec(`CREATE OR REPLACE TABLE replay_manifest AS ${replayManifestSql(calm)}`);
    await engine.exec(`CREATE OR REPLACE TABLE replay_preview AS ${replayPreviewSql(calm)}`);
    expect((await engine.rows(replayWarningsSql(calm))).map((x) => x.warning)).toEqual(['none']);
  });
});

describe('exports', () => {
  const rows: ManifestRow[] = [
    { stage: 2, episode_index: 3, set: 'baseline', weight: 0.25, samples: 1 },
    { stage: 1, episode_index: 7, set: 'targeted, new', weight: 0.5, samples: 2 },
    { stage: 1, episode_index: 3, set: 'baseline', weight: 0.5, samples: 0 },
  ];

  it('JSON: an episode list and weights per stage, in stage and episode order', () => {
    expect(manifestToJson(rows)).toEqual({
      stages: [
        { name: 'stage_1', episodes: [3, 7], weights: [0.5, 0.5] },
        { name: 'stage_2', episodes: [3], weights: [0.25] },
      ],
    });
  });

  it('CSV: header and one quoted-when-needed line per row', () => {
    expect(manifestToCsv(rows)).toBe('stage,episode_index,set,weight,samples\n2,3,baseline,0.25,1\n1,7,"targeted, new",0.5,2\n1,3,baseline,0.5,0\n');
  });

  it('reads query rows with bigint integers', () => {
    expect(manifestRows([{ stage: 1n, episode_index: 5n, set: 'b', weight: 0.1, samples: 2n }])).toEqual([{ stage: 1, episode_index: 5, set: 'b', weight: 0.1, samples: 2 }]);
  });
});
