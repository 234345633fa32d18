import { DEFECTS, DRIFT_TOLERANCE_DEG, driftDeg, firstWeekOutOfTolerance } from './dataops.ts';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from './calendar.ts';
import { LIGHTING, OBJECT_INTRODUCED_AT, nearWall, type Conditions } from './conditions.ts';
import { buildCosts, costPerSuccess } from './costs.ts';
import { DEFAULT_CONFIG, allocate, chooseTargets, planFlywheel, type FlywheelPlan } from './flywheel.ts';
import { MECHANISMS, mechanismProbabilities, type Mechanism } from './mechanisms.ts';

const plan = planFlywheel({ ...DEFAULT_CONFIG });
const otherSeeds = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => planFlywheel({ ...DEFAULT_CONFIG, seed }));
const all = [plan, ...otherSeeds];
const last = DEFAULT_CONFIG.rotations;

function rate(p: FlywheelPlan, r: number): number {
  return p.rotations[r].success_rate!;
}

describe('planFlywheel: shape of the flywheel', () => {
  it('has a seed round, then deploy + targeted collection per rotation, in time order', () => {
    expect(plan.rotations).toHaveLength(last + 1);
    const seed = plan.episodes.filter((e) => e.kind === 'seed' && !e.defect);
    expect(seed).toHaveLength(200);
    for (let r = 1; r <= last; r++) {
      const dep = plan.episodes.filter((e) => e.rotation === r && e.kind === 'deployment');
      const tgt = plan.episodes.filter((e) => e.rotation === r && e.kind === 'targeted');
      expect(dep.length).toBeGreaterThanOrEqual(90);
      expect(dep.length).toBeLessThanOrEqual(110);
      expect(tgt.length).toBeGreaterThanOrEqual(30);
      expect(tgt.length).toBeLessThanOrEqual(60);
      expect(dep.every((e) => e.policy_version === `v${r}`)).toBe(true);
      // Deployment first, then the targeted demos.
      expect(Math.max(...dep.map((e) => e.episode_index))).toBeLessThan(Math.min(...tgt.map((e) => e.episode_index)));
    }
    // The flywheel's own episodes are in time order; the data-ops episodes planted after them are checked below.
    const planted = new Set([...plan.dataOps.flawed, ...plan.dataOps.calibration].map((p) => p.episode_index));
    plan.episodes.filter((e) => !planted.has(e.episode_index)).forEach((e, i) => {
      expect(e.episode_index).toBe(i);
      if (i > 0) expect(e.start_ms).toBeGreaterThan(plan.episodes[i - 1].start_ms);
      expect(e.start_ms % 1000).toBe(0);
      const rot = plan.rotations[e.rotation];
      expect(e.start_ms).toBeGreaterThanOrEqual(rot.start_ms);
      expect(e.start_ms).toBeLessThan(rot.end_ms);
      const wd = new Date(e.start_ms).getUTCDay();
      expect(wd === 0 || wd === 6).toBe(false);
    });
  });

  it('runs rotations of 9–17 days, at least one longer than two weeks', () => {
    for (const p of all) {
      const days = p.rotations.slice(1).map((r) => (r.end_ms - r.start_ms) / DAY_MS);
      expect(Math.min(...days)).toBeGreaterThanOrEqual(9);
      expect(Math.max(...days)).toBeLessThanOrEqual(17);
      expect(days.some((d) => d > 14)).toBe(true);
    }
  });

  it('tags episodes and auto-collects 20–30 % of deployments', () => {
    const dep = plan.episodes.filter((e) => e.kind === 'deployment');
    for (const e of dep) {
      expect(e.tags[0]).toBe(e.mechanism === null ? 'deployment-success' : 'deployment-failure');
    }
    const auto = dep.filter((e) => e.tags.includes('auto-collected')).length / dep.length;
    expect(auto).toBeGreaterThan(0.17);
    expect(auto).toBeLessThan(0.33);
    expect(plan.episodes.filter((e) => e.kind === 'seed').every((e) => e.tags.join(';') === 'seed')).toBe(true);
    expect(plan.episodes.filter((e) => e.kind === 'targeted').every((e) => e.tags.join(';') === 'targeted-recovery')).toBe(true);
  });

  it('records onset only for failures, inside the episode', () => {
    for (const e of plan.episodes) {
      if (e.mechanism === null) {
        expect(e.onset_s).toBeNull();
        expect(e.failure_label).toBeNull();
      } else {
        expect(e.onset_frame).toBeGreaterThan(0);
        expect(e.onset_frame!).toBeLessThan(e.script.length);
        expect(e.onset_s).toBeCloseTo(e.onset_frame! / 15, 3);
      }
    }
  });

  it('keeps new objects out of earlier rotations, and they start out of distribution', () => {
    for (const e of plan.episodes) expect(e.rotation).toBeGreaterThanOrEqual(OBJECT_INTRODUCED_AT[e.conditions.object_type]);
    const firstBottle = plan.episodes.filter((e) => e.kind === 'deployment' && e.rotation === 3 && e.conditions.object_type === 'transparent_bottle');
    expect(firstBottle.length).toBeGreaterThan(5);
    expect(firstBottle.every((e) => !e.in_distribution)).toBe(true);
    // Pooled over seeds (one rotation has only ~18 bottle episodes): about half fail as OOD.
    let ood = 0;
    let n = 0;
    for (const p of all) {
      for (const e of p.episodes) {
        if (e.kind !== 'deployment' || e.rotation !== 3 || e.conditions.object_type !== 'transparent_bottle') continue;
        n++;
        if (e.mechanism === 'out_of_distribution') ood++;
      }
    }
    expect(ood / n).toBeGreaterThan(0.4);
    expect(ood / n).toBeLessThan(0.7);
  });
});

describe('planFlywheel: success rises like a published flywheel', () => {
  it('goes from ≤ 0.65 with v1 to ≥ 0.85 with the last policy (default seed)', () => {
    expect(rate(plan, 1)).toBeLessThanOrEqual(0.65);
    expect(rate(plan, last)).toBeGreaterThanOrEqual(0.85);
  });

  it('does so on average over other seeds too, and is not perfectly monotone everywhere', () => {
    const mean = (r: number): number => all.reduce((a, p) => a + rate(p, r), 0) / all.length;
    expect(mean(1)).toBeLessThanOrEqual(0.62);
    expect(mean(last)).toBeGreaterThanOrEqual(0.86);
    // New objects arrive in rotations 3 and 5: some rotation plateaus or dips in most runs.
    const plateaus = all.filter((p) => p.rotations.slice(2).some((r, i) => r.success_rate! - rate(p, i + 1) < 0.02)).length;
    expect(plateaus).toBeGreaterThanOrEqual(all.length / 2);
  });
});

/** Mean probability of one mechanism for a fixed set of conditions under each policy's coverage. */
function hazard(p: FlywheelPlan, r: number, mech: Mechanism, conds: readonly Conditions[]): number {
  const i = MECHANISMS.indexOf(mech);
  let s = 0;
  for (const c of conds) s += mechanismProbabilities(c, p.policyCoverage[r])[i];
  return s / conds.length;
}

describe('targeted collection: what it fixes and what it does not', () => {
  it('targets collision at least twice before the last rotation, yet collisions persist', () => {
    for (const p of all) {
      const targetedAt = p.rotations.filter((r) => r.targeted_mechanisms.includes('collision')).map((r) => r.rotation);
      const second = targetedAt[1];
      expect(second).toBeDefined();
      expect(second).toBeLessThan(last);
      // Model level: same near-wall conditions, policy after two collections vs v1.
      const wall = p.episodes.filter((e) => e.kind === 'deployment' && nearWall(e.conditions)).map((e) => e.conditions);
      expect(hazard(p, last, 'collision', wall)).toBeGreaterThan(0.9 * hazard(p, 1, 'collision', wall));
    }
    // Observed: pooled over seeds, the collision rate after the second collection stays near the early rate.
    let before = 0;
    let beforeN = 0;
    let after = 0;
    let afterN = 0;
    for (const p of all) {
      const second = p.rotations.filter((r) => r.targeted_mechanisms.includes('collision'))[1].rotation;
      for (const e of p.episodes) {
        if (e.kind !== 'deployment') continue;
        const hit = e.mechanism === 'collision' ? 1 : 0;
        if (e.rotation <= 2) {
          before += hit;
          beforeN++;
        } else if (e.rotation > second) {
          after += hit;
          afterN++;
        }
      }
    }
    expect(after / afterN).toBeGreaterThan(0.6 * (before / beforeN));
    expect(after / afterN).toBeGreaterThan(0.02);
  });

  it('lowers grasp failure on the object and lighting the grasp demos targeted', () => {
    let checked = 0;
    for (const p of all) {
      const r = p.rotations.find((x) => x.rotation < last && x.targeted_mechanisms.includes('grasp_failure'))!.rotation;
      const demos = p.episodes.filter((e) => e.rotation === r && e.targeted_mechanism === 'grasp_failure');
      // The bucket that got the most grasp demos.
      const counts = new Map<string, number>();
      for (const d of demos) {
        const k = `${d.conditions.object_type}|${d.conditions.lighting}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const [bucket] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      const [obj, light] = bucket.split('|');
      const conds = p.episodes
        .filter((e) => e.kind === 'deployment' && e.conditions.object_type === obj && e.conditions.lighting === light)
        .map((e) => e.conditions);
      expect(hazard(p, r + 1, 'grasp_failure', conds)).toBeLessThan(0.6 * hazard(p, r, 'grasp_failure', conds));
      checked++;
    }
    expect(checked).toBe(all.length);
    // Observed: grasp failures on pouches in poor light, early vs late rotations, pooled over seeds.
    let early = 0;
    let earlyN = 0;
    let late = 0;
    let lateN = 0;
    for (const p of all) {
      for (const e of p.episodes) {
        if (e.kind !== 'deployment' || e.conditions.object_type !== 'pouch' || e.conditions.lighting === LIGHTING[0]) continue;
        const f = e.mechanism === 'grasp_failure' ? 1 : 0;
        if (e.rotation <= 2) {
          early += f;
          earlyN++;
        } else if (e.rotation >= last - 1) {
          late += f;
          lateN++;
        }
      }
    }
    expect(late / lateN).toBeLessThan(0.5 * (early / earlyN));
  });

  it('chooses the top two filed categories plus collision as a safety issue', () => {
    const counts = { grasp_failure: 9, placement_error: 4, collision: 3, timeout: 5, recovery_failure: 0, out_of_distribution: 0 };
    expect(chooseTargets(counts, 1)).toEqual(['grasp_failure', 'timeout', 'collision']);
    expect(chooseTargets({ ...counts, collision: 2 }, 1)).toEqual(['grasp_failure', 'timeout']);
    expect(allocate(10, [3, 1, 1])).toEqual([6, 2, 2]);
    expect(allocate(7, [1, 1])).toEqual([4, 3]);
  });
});

describe('cost sheet', () => {
  it('makes cost per successful deployment episode rise in a late rotation', () => {
    const costs = buildCosts(plan);
    const cps = plan.rotations.map((r) => costPerSuccess(costs, r));
    expect(cps[0]).toBeNull();
    expect(cps[5]!).toBeGreaterThan(1.3 * cps[4]!);
    expect(cps[last]!).toBeLessThan(cps[1]!);
    for (const l of costs) expect(l.amount_usd).toBeCloseTo(l.quantity * l.unit_cost_usd, 2);
    const cats = new Set(costs.map((l) => l.category));
    expect([...cats].sort()).toEqual(['annotation', 'deployment', 'hardware', 'teleop_demos', 'training_compute']);
  });
});

describe('determinism', () => {
  it('gives the same plan for the same seed and a different one for another seed', () => {
    const strip = (p: FlywheelPlan): unknown => p.episodes.map((e) => [e.conditions, e.mechanism, e.start_ms, e.script.length, e.notes]);
    expect(strip(planFlywheel({ ...DEFAULT_CONFIG }))).toEqual(strip(plan));
    expect(strip(otherSeeds[0])).not.toEqual(strip(plan));
  });

  it('plants the data-ops episodes after the flywheel\'s: one flawed demo per defect, weekly calibrations with one drifting joint', () => {
    const first = Math.min(...[...plan.dataOps.flawed, ...plan.dataOps.calibration].map((p) => p.episode_index));
    expect(plan.episodes.slice(0, first).every((e) => !e.defect && !e.drift && e.kind !== 'calibration')).toBe(true);
    expect(plan.dataOps.flawed.map((f) => f.defect)).toEqual([...DEFECTS]);
    for (const f of plan.dataOps.flawed) expect(plan.episodes[f.episode_index]).toMatchObject({ kind: 'seed', policy_version: null, defect: f.defect });
    const cal = plan.dataOps.calibration;
    expect(cal.map((c) => c.week)).toEqual(cal.map((_, i) => i));
    for (const c of cal) {
      const e = plan.episodes[c.episode_index];
      expect(e.kind).toBe('calibration');
      expect(e.start_ms - plan.episodes[cal[0].episode_index].start_ms).toBe(c.week * 7 * 86_400_000);
      expect(e.drift?.rad).toBeCloseTo((driftDeg(c.week) * Math.PI) / 180, 12);
    }
    // The planted week is the first over tolerance, and the weeks before it are within it.
    const w = firstWeekOutOfTolerance();
    expect(driftDeg(w)).toBeGreaterThan(DRIFT_TOLERANCE_DEG);
    expect(driftDeg(w - 1)).toBeLessThanOrEqual(DRIFT_TOLERANCE_DEG);
    expect(cal.length).toBeGreaterThan(w);
  });
});
