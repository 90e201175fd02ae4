/**
 * The experiment spec and its designs: the minimal form of INTERFACE.md is accepted as written;
 * designs expand deterministically with the properties that define them; seeds derive from the
 * master seed; bad paths and values stop the experiment (exit 2) naming them; `validate` and
 * `schema` know experiment files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../sim/config/schema.ts';
import { expandDesign } from '../../../workers/experiment/design.ts';
import { loadExperiment } from '../../../workers/experiment/load.ts';
import { deriveSeed, experimentSchema, planExperiment, shardRuns, validateExperiment } from '../../../workers/experiment/spec.ts';
import { TINY, cli, tempDir, writeSpec } from './helpers.ts';

const tmp = tempDir('spec');
afterAll(() => tmp.cleanup());

// Exactly the form INTERFACE.md documents, with a real scenario path in place of the placeholder.
const MINIMAL = {
  scenario: 'baseline',
  policies: ['none', 'place-based', 'hub-based'],
  years: 10,
  seeds: { master: 1, replications: 4 },
  design: { type: 'factorial', parameters: { 'policy.budgetPerYear': [0.5, 1.0] } },
};

describe('the spec', () => {
  it('accepts the minimal form of INTERFACE.md and plans points × policies × replications', async () => {
    const file = writeSpec(tmp.dir, 'minimal.json', MINIMAL);
    const plan = loadExperiment(file);
    expect(plan.runs).toHaveLength(2 * 3 * 4);
    expect(plan.years).toBe(10);
    expect(plan.points.map((p) => p.values)).toEqual([{ 'policy.budgetPerYear': 0.5 }, { 'policy.budgetPerYear': 1 }]);
    // Run ids: point-major, then policy, then replication.
    expect(plan.runs.slice(0, 5).map((r) => [r.point, r.policy, r.replication])).toEqual([
      [0, 'none', 0], [0, 'none', 1], [0, 'none', 2], [0, 'none', 3], [0, 'place-based', 0],
    ]);
    const v = await cli('validate', file);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('valid experiment (minimal: 24 runs = 2 design points × 3 policies × 4 replications, 10 years)');
    // The default ten-year programmes from year 2 are cut off at year 10, and validate says so.
    expect(v.stdout).toContain("note: programmes run to year 12, past the runs' 10 years: the runs stop mid-programme (years: 12 would see them whole)");
    const whole = await cli('validate', writeSpec(tmp.dir, 'whole.json', { ...MINIMAL, years: 12 }));
    expect(whole.stdout).not.toContain('note:');
  });

  it('derives distinct seeds from the master seed, the same for every point and policy', () => {
    const plan = loadExperiment(writeSpec(tmp.dir, 'seeds.json', MINIMAL));
    expect(plan.seeds).toEqual([0, 1, 2, 3].map((r) => deriveSeed(1, r)));
    expect(new Set(plan.seeds).size).toBe(4);
    for (const r of plan.runs) expect(r.seed).toBe(plan.seeds[r.replication]);
    expect(deriveSeed(2, 0)).not.toBe(deriveSeed(1, 0));
    expect(deriveSeed(2 ** 40 + 1, 0)).not.toBe(deriveSeed(1, 0));
    // Never repeated within an experiment: the derivation is a bijection of the replication number.
    const many = new Set(Array.from({ length: 200_000 }, (_, r) => deriveSeed(1, r)));
    expect(many.size).toBe(200_000);
  });

  it('hashes what determines the rows, not how the file is written', () => {
    const a = loadExperiment(writeSpec(tmp.dir, 'a.json', MINIMAL));
    const reordered = { seeds: MINIMAL.seeds, design: MINIMAL.design, years: 10, policies: MINIMAL.policies, scenario: 'baseline', name: 'other name' };
    expect(loadExperiment(writeSpec(tmp.dir, 'b.json', reordered)).specHash).toBe(a.specHash);
    expect(loadExperiment(writeSpec(tmp.dir, 'c.json', { ...MINIMAL, years: 11 })).specHash).not.toBe(a.specHash);
    expect(loadExperiment(writeSpec(tmp.dir, 'd.json', MINIMAL), ['city.width=20']).specHash).not.toBe(a.specHash);
  });

  it('splits runs into disjoint shards that cover the plan', () => {
    const plan = loadExperiment(writeSpec(tmp.dir, 'shards.json', MINIMAL));
    const shards = [0, 1, 2].map((index) => shardRuns(plan.runs, { index, count: 3 }).map((r) => r.run));
    expect(shards.flat().sort((x, y) => x - y)).toEqual(plan.runs.map((r) => r.run));
    expect(shards.map((s) => s.length)).toEqual([8, 8, 8]);
  });

  it('names the field of a bad spec (exit 2, no stack)', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...MINIMAL, seeds: { master: 1 } }, /field "seeds\.replications" is required/],
      [{ ...MINIMAL, policies: ['demolish'] }, /field "policies\.0"/],
      [{ ...MINIMAL, design: { type: 'grid', parameters: {} } }, /field "design\.type": expected one of: factorial, lhs, morris, sobol/],
      [{ ...MINIMAL, desing: {} }, /unknown field "desing" \(did you mean "design"\?\)/],
      [{ ...MINIMAL, design: { type: 'lhs', parameters: { 'city.width': [20, 10] }, samples: 4 } }, /min < max/],
    ];
    for (const [spec, message] of cases) {
      const r = await cli('experiment', writeSpec(tmp.dir, 'bad.json', spec), '--out', `${tmp.dir}/never`);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a design path that is not a scenario field, and a design point that is not a valid scenario', async () => {
    const badPath = { ...MINIMAL, design: { type: 'factorial', parameters: { 'city.widht': [10, 12] } } };
    const r1 = await cli('validate', writeSpec(tmp.dir, 'badpath.json', badPath));
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/design\.parameters\."city\.widht": "city\.widht" is not a scenario field.*did you mean "width"/);
    const badValue = { ...MINIMAL, design: { type: 'factorial', parameters: { 'city.width': [10, 1] } } };
    const r2 = await cli('experiment', writeSpec(tmp.dir, 'badvalue.json', badValue), '--out', `${tmp.dir}/never`);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/design point 1 \(city\.width=1\), policy none: field "city\.width": expected an integer from 2 to 1000, got 1/);
    const kind = { ...MINIMAL, design: { type: 'factorial', parameters: { 'policy.kind': ['none'] } } };
    expect((await cli('validate', writeSpec(tmp.dir, 'kind.json', kind))).stderr).toMatch(/vary the policy with "policies"/);
  });

  it('prints the experiment JSON Schema, which requires what the zod schema requires', async () => {
    const r = await cli('schema', 'experiment');
    expect(r.code).toBe(0);
    const js = JSON.parse(r.stdout) as { required: string[]; properties: Record<string, unknown> };
    expect(js.required.sort()).toEqual(['scenario', 'seeds']);
    expect(Object.keys(js.properties)).toEqual(Object.keys(experimentSchema.shape));
  });
});

describe('designs', () => {
  const base = scenarioSchema.parse({});
  const spec = (design: unknown) => validateExperiment({ scenario: 'baseline', seeds: { master: 3, replications: 1 }, design }, 'test');

  it('factorial: every combination, parameters in sorted order, the last varying fastest', () => {
    const d = spec({ type: 'factorial', parameters: { 'policy.budgetPerYear': [1, 2, 3], 'city.width': [10, 12] } }).design!;
    const pts = expandDesign(d, 3, 'test');
    expect(pts.map((p) => [p.values['city.width'], p.values['policy.budgetPerYear']])).toEqual([
      [10, 1], [10, 2], [10, 3], [12, 1], [12, 2], [12, 3],
    ]);
  });

  it('lhs: one point in each stratum of every range, integers rounded, same points for the same master seed', () => {
    const d = spec({ type: 'lhs', samples: 10, parameters: { 'households.meanSkill': [0.2, 0.7], 'city.width': [10, 40] } }).design!;
    const pts = expandDesign(d, 3, 'test');
    expect(pts).toHaveLength(10);
    const strata = pts.map((p) => Math.floor((((p.values['households.meanSkill'] as number) - 0.2) / 0.5) * 10)).sort((a, b) => a - b);
    expect(strata).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const p of pts) expect(Number.isInteger(p.values['city.width'])).toBe(true);
    expect(expandDesign(d, 3, 'test')).toEqual(pts);
    expect(expandDesign(d, 4, 'test')).not.toEqual(pts);
  });

  it('morris: trajectories of k + 1 points, each step moving one parameter by Δ on the grid', () => {
    const d = spec({ type: 'morris', trajectories: 5, levels: 4, parameters: { 'households.meanSkill': [0, 1], 'economy.povertyLine': [0.4, 0.7] } }).design!;
    const pts = expandDesign(d, 3, 'test');
    expect(pts).toHaveLength(5 * 3);
    const names = ['economy.povertyLine', 'households.meanSkill'];
    for (let t = 0; t < 5; t++) {
      const traj = pts.slice(t * 3, t * 3 + 3);
      expect(traj[0]!.parameter).toBeNull();
      expect(new Set(traj.slice(1).map((p) => p.parameter))).toEqual(new Set(names));
      for (let s = 1; s < 3; s++) {
        const moved = traj[s]!.parameter!;
        const [lo, hi] = moved === 'households.meanSkill' ? [0, 1] : [0.4, 0.7];
        const step = ((traj[s]!.values[moved] as number) - (traj[s - 1]!.values[moved] as number)) / (hi - lo);
        expect(Math.abs(step)).toBeCloseTo(4 / 6, 10); // Δ = p / (2(p − 1))
        for (const other of names.filter((n) => n !== moved)) expect(traj[s]!.values[other]).toBe(traj[s - 1]!.values[other]);
      }
    }
  });

  it('sobol: N × (k + 2) points; AB_i is A with column i from B', () => {
    const d = spec({ type: 'sobol', samples: 4, parameters: { 'households.meanSkill': [0, 1], 'economy.povertyLine': [0.4, 0.7] } }).design!;
    const pts = expandDesign(d, 3, 'test');
    expect(pts).toHaveLength(4 * 4);
    for (let s = 0; s < 4; s++) {
      const [a, b, ab0, ab1] = pts.slice(s * 4, s * 4 + 4);
      expect([a!.role, b!.role, ab0!.role, ab1!.role]).toEqual(['A', 'B', 'AB', 'AB']);
      expect(ab0!.parameter).toBe('economy.povertyLine');
      expect(ab0!.values).toEqual({ 'economy.povertyLine': b!.values['economy.povertyLine'], 'households.meanSkill': a!.values['households.meanSkill'] });
      expect(ab1!.values).toEqual({ 'economy.povertyLine': a!.values['economy.povertyLine'], 'households.meanSkill': b!.values['households.meanSkill'] });
    }
    const plan = planExperiment(spec({ type: 'sobol', samples: 4, parameters: { 'households.meanSkill': [0, 1] } }), base, 's', 'test');
    expect(plan.runs).toHaveLength(4 * 3);
  });

  it('works with a scenario file relative to the spec and with overrides', () => {
    writeSpec(tmp.dir, 'city.json', { extends: 'baseline', name: 'small', city: { width: 9, height: 9 } });
    const plan = loadExperiment(writeSpec(tmp.dir, 'rel.json', { scenario: './city.json', set: TINY, seeds: { master: 1, replications: 1 } }));
    expect(plan.base.city.width).toBe(8);
    expect(plan.base.name).toBe('small');
    expect(plan.spec.policies).toEqual(['none']);
  });
});
