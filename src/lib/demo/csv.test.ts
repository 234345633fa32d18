import { describe, expect, it } from 'vitest';
import { buildCosts, costPerSuccess } from './costs.ts';
import { csvField, parseCsv, toCsv } from './csv.ts';
import { DEFAULT_CONFIG, planFlywheel } from './flywheel.ts';
import { costsCsv, deploymentLogCsv, groundTruth, groundTruthJson } from './logs.ts';

describe('csv', () => {
  it('quotes only what needs quoting and parses it back', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    const rows = [
      ['1', 'gripper slipped on bottle, dim light', '"quoted"'],
      ['2', '', 'multi\r\nline'],
    ];
    const text = toCsv(['id', 'notes', 'x'], rows);
    expect(parseCsv(text)).toEqual([['id', 'notes', 'x'], ...rows]);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(() => toCsv(['a', 'b'], [['1']])).toThrow();
  });
});

describe('deployment_log.csv', () => {
  const plan = planFlywheel({ ...DEFAULT_CONFIG });
  const rows = parseCsv(deploymentLogCsv(plan));
  const header = rows[0];
  const body = rows.slice(1);
  const col = (name: string): number => header.indexOf(name);

  it('has the required header and one row per episode', () => {
    expect(header.join(',')).toBe(
      'episode_id,timestamp,policy_version,outcome,failure_category,notes,rotation,tags,operator,object_type,yaw_deg,pos_x,pos_y,lighting,in_distribution',
    );
    expect(body).toHaveLength(plan.episodes.length);
    for (const r of body) expect(r).toHaveLength(header.length);
    expect(body.map((r) => Number(r[0]))).toEqual(plan.episodes.map((e) => e.episode_index));
  });

  it('has quoted notes with commas that survive a round trip', () => {
    const withComma = body.filter((r) => r[col('notes')].includes(','));
    expect(withComma.length).toBeGreaterThan(20);
    for (const r of withComma) expect(plan.episodes[Number(r[0])].notes).toBe(r[col('notes')]);
  });

  it('logs teleop demos as successes without a policy, deployments with one', () => {
    for (const r of body) {
      const e = plan.episodes[Number(r[0])];
      expect(r[col('timestamp')]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // A calibration run is not a task attempt: no outcome, no policy.
      if (e.kind === 'calibration') {
        expect([r[col('outcome')], r[col('policy_version')], r[col('tags')]]).toEqual(['', '', 'calibration']);
        continue;
      }
      expect(['success', 'failure']).toContain(r[col('outcome')]);
      expect(Number(r[col('rotation')])).toBe(e.rotation);
      if (e.kind !== 'deployment') {
        expect(r[col('policy_version')]).toBe('');
        expect(r[col('outcome')]).toBe('success');
        expect(r[col('failure_category')]).toBe('');
      } else {
        expect(r[col('policy_version')]).toBe(`v${e.rotation}`);
        expect(r[col('outcome')] === 'failure').toBe(r[col('failure_category')] !== '');
      }
      expect(['true', 'false']).toContain(r[col('in_distribution')]);
    }
    // The flywheel's episodes are logged in time order; the data-ops episodes planted after them carry their own times.
    const planted = new Set([...plan.dataOps.flawed, ...plan.dataOps.calibration].map((p) => p.episode_index));
    const timestamps = body.filter((r) => !planted.has(Number(r[0]))).map((r) => r[col('timestamp')]);
    expect([...timestamps].sort()).toEqual(timestamps);
    const tags = new Set(body.flatMap((r) => r[col('tags')].split(';')));
    expect([...tags].sort()).toEqual(['auto-collected', 'calibration', 'deployment-failure', 'deployment-success', 'seed', 'targeted-recovery']);
  });

  it('files most failures under their true mechanism, with a little annotator noise', () => {
    const failures = plan.episodes.filter((e) => e.mechanism !== null);
    const agree = failures.filter((e) => e.failure_label === e.mechanism).length / failures.length;
    expect(agree).toBeGreaterThan(0.9);
    expect(agree).toBeLessThan(1);
  });
});

describe('collection_costs.csv and ground_truth.json', () => {
  const plan = planFlywheel({ ...DEFAULT_CONFIG });
  it('writes a cost sheet from which cost per success can be recomputed', () => {
    const rows = parseCsv(costsCsv(buildCosts(plan)));
    expect(rows[0]).toEqual(['rotation', 'date', 'category', 'description', 'quantity', 'unit', 'unit_cost_usd', 'amount_usd']);
    const total = new Map<number, number>();
    for (const r of rows.slice(1)) total.set(Number(r[0]), (total.get(Number(r[0])) ?? 0) + Number(r[7]));
    for (const rot of plan.rotations.slice(1)) {
      expect(total.get(rot.rotation)! / rot.successes).toBeCloseTo(costPerSuccess(buildCosts(plan), rot)!, 6);
    }
  });

  it('serialises ground truth as valid JSON with one line per episode', () => {
    const text = groundTruthJson(groundTruth(plan, 15));
    const gt = JSON.parse(text);
    expect(gt.seed).toBe(DEFAULT_CONFIG.seed);
    expect(gt.episodes).toHaveLength(plan.episodes.length);
    expect(gt.rotations).toHaveLength(DEFAULT_CONFIG.rotations + 1);
    expect(Object.keys(gt.episodes[0])).toEqual(
      expect.arrayContaining(['episode_index', 'mechanism', 'onset_s', 'object_type', 'yaw_deg', 'pos_x', 'pos_y', 'lighting', 'in_distribution']),
    );
    expect(Object.keys(gt.rotations[1])).toEqual(expect.arrayContaining(['rotation', 'policy_version', 'start', 'end', 'success_rate']));
    expect(text.split('\n').length).toBeGreaterThan(plan.episodes.length);
  });
});
