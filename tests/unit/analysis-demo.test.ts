/**
 * The flywheel jobs on the bundled demo, loaded into the real DuckDB-WASM exactly as the app loads it
 * (LeRobot metadata + deployment log joined onto `episodes` + the cost sheet): the red flags the generator
 * planted are raised and the others are not, and every job notebook runs through the notebook runner with
 * no failing cell, every chart spec valid and pointing at columns its result has.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { engineNotebookDb } from './helpers/node-notebook-db';
import { folderSource } from './helpers/fs-source';
import { createReader } from '../../workers/db/reader';
import { openLeRobot } from '../../workers/db/lerobot';
import { buildEpisodesView } from '../../workers/db/episodes-view';
import { loadCsv } from '../../workers/db/csv-load';
import type { Engine } from '../../workers/db/engine';
import { NotebookRunner } from '../../src/lib/notebook/runner';
import { regenerate } from '../../src/lib/notebook/analysis-cells';
import { checkColumns, validatePlotSpec } from '../../src/lib/plot';
import {
  ANALYSIS_TEMPLATES,
  RED_FLAGS,
  defaultCostModelForm,
  defaultRedFlagsForm,
  defaultReplayMixForm,
  designMix,
  manifestRows,
  redFlagsSql,
  replayManifestSql,
  MIX_POLICIES,
  costModelSql,
} from '../../src/lib/analysis';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');
const truth = JSON.parse(readFileSync(path.join(DEMO, 'ground_truth.json'), 'utf8'));
let engine: Engine;

beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
  const summary = await openLeRobot(engine, createReader(await folderSource(DEMO)));
  await loadCsv(engine, 'deployments', readFileSync(path.join(DEMO, 'deployment_log.csv')));
  await loadCsv(engine, 'costs', readFileSync(path.join(DEMO, 'collection_costs.csv')));
  await buildEpisodesView(engine, summary.info.fps, 'deployments');
});

describe('red flags on the demo', () => {
  /**
   * What the generator planted (src/lib/demo): success stalls at rotation 3 when the transparent bottle
   * arrives (README: 74% → 74%); rotation 5 pays for a hyper-parameter sweep and a camera-mount redesign
   * (costs.ts: "the red flag the app should raise"); at least one rotation runs over two weeks
   * (flywheel.ts calendar); collision is a hardware limit that targeted demos barely touch
   * (mechanisms.ts); targets are the two most frequent categories plus collision (chooseTargets), so
   * recovery failures (needing recovery demos, first collected in rotation 4) and the new object's OOD
   * failures go untargeted through rotation 3. Not planted: the policy keeps improving with data
   * (90% by rotation 6), and new objects lower but do not halve unseen-condition success.
   */
  const PLANTED = ['success_flat', 'cost_per_success_rising', 'cycle_time', 'persisting_failure_mode', 'failure_mode_coverage'];

  it('raises exactly the planted flags, with evidence pointing at the planted rotations and modes', async () => {
    const rows = await engine.rows(redFlagsSql(defaultRedFlagsForm()));
    expect(rows.map((r) => r.flag)).toEqual([...RED_FLAGS]);
    const by = Object.fromEntries(rows.map((r) => [String(r.flag), r]));
    for (const flag of RED_FLAGS) expect(by[flag].raised, flag).toBe(PLANTED.includes(flag));
    expect(by.success_flat.evidence).toMatch(/^rotation 3: 73\.7% → 74\.0%/);
    expect(by.cost_per_success_rising.evidence).toMatch(/^rotation 5: 24\.75 per successful episode vs 11\.95 in rotation 4/);
    expect(by.cycle_time.evidence).toMatch(/rotation 3: 17\.0 days/);
    expect(by.persisting_failure_mode.evidence).toMatch(/^collision: /);
    expect(by.persisting_failure_mode.evidence).not.toMatch(/grasp_failure:|placement_error:/);
    expect(by.failure_mode_coverage.value).toBeCloseTo(0.5, 12);
    // Not raised, but said: the generalisation score sits between the flag level and the target.
    expect(by.generalisation.value).toBeGreaterThan(0.5);
    expect(by.generalisation.value).toBeLessThan(0.7);
    expect(by.generalisation.evidence).toMatch(/below the target 0\.7/);
    expect(by.data_efficiency_flat.value).toBeGreaterThan(1);
  });

  it('agrees with the ground truth on success rates and on which modes were targeted when', async () => {
    const rows = await engine.rows(`SELECT rotation, avg(CASE WHEN outcome = 'success' THEN 1.0 ELSE 0 END) AS s FROM episodes WHERE policy_version IS NOT NULL GROUP BY 1 ORDER BY 1`);
    const gt = truth.rotations.filter((r: { success_rate: number | null }) => r.success_rate !== null);
    expect(rows.map((r) => Math.round(Number(r.s) * 10000) / 10000)).toEqual(gt.map((r: { success_rate: number }) => r.success_rate));
    // The targeted-at definition (tag + notes, alias "recovery demo") recovers the generator's targets exactly.
    const sql = redFlagsSql(defaultRedFlagsForm()).replace(/SELECT flag, raised, evidence, value, threshold[\s\S]*$/, 'SELECT rot, mode, count(*) AS n FROM targeted_at GROUP BY ALL ORDER BY ALL');
    const found = (await engine.rows(sql)).map((r) => `${r.rot}:${r.mode}:${r.n}`);
    const expected: string[] = [];
    const counts = new Map<string, number>();
    for (const e of truth.episodes) if (e.kind === 'targeted') counts.set(`${e.rotation}:${e.targeted_mechanism}`, (counts.get(`${e.rotation}:${e.targeted_mechanism}`) ?? 0) + 1);
    for (const [k, n] of [...counts].sort()) expected.push(`${k}:${n}`);
    expect(found.sort()).toEqual(expected.sort());
  });

  it('with scope "latest" only looks at rotation 6, where nothing over time is wrong', async () => {
    const f = defaultRedFlagsForm();
    f.scope = 'latest';
    const by = Object.fromEntries((await engine.rows(redFlagsSql(f))).map((r) => [String(r.flag), r.raised]));
    expect(by.success_flat).toBe(false);
    expect(by.cost_per_success_rising).toBe(false);
    expect(by.cycle_time).toBe(false);
  });
});

describe('replay mix on the demo', () => {
  it('SQL and the TS reference give the same manifest for the curriculum', async () => {
    const f = defaultReplayMixForm();
    f.policy = MIX_POLICIES.curriculum_90_70_50;
    const sqlRows = manifestRows(await engine.rows(replayManifestSql(f)));
    const members = await engine.rows(
      `SELECT episode_index, list_contains(string_split(coalesce(tags, ''), ';'), 'targeted-recovery') AS t, (policy_version IS NULL OR outcome = 'success') AS b FROM episodes ORDER BY 1`,
    );
    const design = designMix({
      baseline: { name: 'baseline', episodes: members.filter((m) => m.b).map((m) => Number(m.episode_index)) },
      targeted: [{ name: 'targeted', episodes: members.filter((m) => m.t).map((m) => Number(m.episode_index)) }],
      policy: f.policy,
      bufferMultiple: f.bufferMultiple,
      seed: f.seed,
    });
    expect(sqlRows.length).toBe(design.rows.length);
    sqlRows.forEach((r, i) => {
      const t = design.rows[i];
      expect([r.stage, r.episode_index, r.set, r.samples]).toEqual([t.stage, t.episode_index, t.set, t.samples]);
      expect(r.weight).toBeCloseTo(t.weight, 15);
    });
    // 276 targeted episodes, buffer 2760 samples per stage: exactly 90/10, 70/30, 50/50.
    expect(design.stages.filter((s) => s.set === 'baseline').map((s) => s.samples)).toEqual([2484, 1932, 1380]);
  });
});

describe('every job notebook runs on the demo', () => {
  // Jobs over per-frame data need the lazy frames view (a Workspace): tests/unit/dataops-demo.test.ts and the
  // headless-runner test run those.
  for (const t of ANALYSIS_TEMPLATES.filter((t) => !t.build().cells.some((c) => c.kind === 'sql' && /\bframes\b/.test(c.source)))) {
    it(`${t.title}: every cell runs, every chart spec validates against its result`, async () => {
      const doc = t.build();
      const nb = new NotebookRunner(doc, engineNotebookDb(engine), { reservedNames: () => new Set(['episodes', 'frames', 'tasks', 'deployments', 'costs']) });
      await nb.runAll();
      const outputs = new Map<string, { name: string; type: string }[]>();
      for (const c of doc.cells) {
        const r = nb.runtime[c.id];
        if (c.kind === 'markdown') continue;
        expect(r.error, `${c.name}: ${r.error}`).toBeUndefined();
        expect(r.status, c.name).toBe('done');
        if (c.kind === 'sql') {
          expect(r.output?.rowCount, `${c.name} has rows`).toBeGreaterThan(0);
          outputs.set(c.name, [...(r.output?.columns ?? [])]);
        } else {
          const v = validatePlotSpec(c.plot);
          expect(v.ok ? [] : v.errors, c.name).toEqual([]);
          expect(checkColumns(c.plot!, outputs.get(c.plot!.data) ?? []), c.name).toEqual([]);
        }
      }
      // The demo's inputs are fine: the checks say so in one row.
      const checks = nb.runtime.input_checks?.output?.rows;
      if (checks) expect(checks.map((r) => r.severity)).toEqual(['ok']);
    });
  }

  it('the cost ledger matches the cost sheet and the ground truth', async () => {
    const sql = costModelSql(defaultCostModelForm());
    const ledger = await engine.rows(sql.cost_ledger);
    const sheet = await engine.rows(`SELECT rotation, sum(amount_usd) AS s FROM costs GROUP BY 1 ORDER BY 1`);
    expect(ledger.map((r) => Number(r.rotation))).toEqual(sheet.map((r) => Number(r.rotation)));
    ledger.forEach((r, i) => expect(Number(r.cost_usd)).toBeCloseTo(Number(sheet[i].s), 6));
    for (const rot of truth.rotations) {
      const row = ledger.find((r) => Number(r.rotation) === rot.rotation)!;
      expect(Number(row.successes)).toBe(rot.successes);
      expect(Number(row.deployment_episodes)).toBe(rot.deployment_episodes);
    }
    // Rotation 5's cost per success is about double rotation 4's (the planted spike).
    const cps = (r: number): number => Number(ledger.find((x) => Number(x.rotation) === r)!.cost_per_success_usd);
    expect(cps(5) / cps(4)).toBeGreaterThan(2);
  });
});

describe('analysis cells on the demo', () => {
  it('raising a mode\'s fixability in the form moves it up the priority ranking (and lowering it moves it down)', async () => {
    const doc = ANALYSIS_TEMPLATES.find((t) => t.id === 'failure-mining')!.build();
    const runner = new NotebookRunner(doc, engineNotebookDb(engine));
    await runner.runAll();
    const ranking = async () => (await engine.rows('SELECT failure_mode FROM failure_priority ORDER BY rank')).map((r) => String(r.failure_mode));
    const before = await ranking();
    const owner = doc.cells.find((c) => c.name === 'failure_priority')!;
    const edit = async (mode: string, fixability: number) => {
      const form = structuredClone((owner.analysis as { form: any }).form);
      form.modes[mode].fixability = fixability;
      owner.analysis = { job: 'failure_priority', form };
      const r = regenerate(doc, owner);
      if ('problems' in r) throw new Error(r.problems.join(' '));
      await runner.runCells([owner.id, ...r.changed]);
      expect(runner.runtime[owner.id].status).toBe('done');
    };
    // Over all deployments, collision (23 of 604 at fixability 0.2 × impact 1) ranks below placement_error (30 × 0.8 × 0.5)
    // and far below grasp_failure (43 × 0.8 × 0.7).
    expect(before.indexOf('collision')).toBeGreaterThan(before.indexOf('placement_error'));
    await edit('collision', 1);
    const raised = await ranking();
    // 23 × 1 × 1 = 0.0381 overtakes placement_error (0.0199), not yet grasp_failure (0.0399)...
    expect(raised.slice(0, 2)).toEqual(['grasp_failure', 'collision']);
    // ...until grasp_failure's fixability drops to 0.5 (0.0249).
    await edit('grasp_failure', 0.5);
    expect((await ranking())[0]).toBe('collision');
    await edit('placement_error', 0);
    expect((await ranking()).indexOf('placement_error')).toBeGreaterThan(raised.indexOf('placement_error'));
  });
});
