/**
 * `regensim summarize` on stores filled with a known response instead of the model, so that the
 * estimators can be checked against their exact values: y = 3·u₁ + u₂ + 0·u₃ + noise, where uᵢ is
 * a parameter's position in its range and the noise is drawn per run (not shared by seeds).
 * For that response the first-order Sobol indices are 0.9, 0.1 and 0, the Morris μ* per unit of
 * range 3, 1 and 0, and a policy that adds 0.5 shows a paired difference of 0.5 against `none`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../sim/config/schema.ts';
import type { RunResult } from '../../../sim/types.ts';
import { planExperiment, validateExperiment } from '../../../workers/experiment/spec.ts';
import { closeStore, createRecorder, createStore, manifestFor } from '../../../workers/experiment/store.ts';
import { summarize } from '../../../workers/experiment/summarize.ts';
import { cli, tempDir } from './helpers.ts';

const tmp = tempDir('summarize');
afterAll(() => tmp.cleanup());

const PARAMS = { 'households.meanSkill': [0, 1], 'economy.povertyLine': [0.4, 0.7], 'economy.benefit': [4000, 6000] } as const;

/** Makes a store whose runs report city.povertyRate = the known response (plus 0.5 for place-based). */
function fakeStore(name: string, design: unknown, replications: number, noise: number, policies = ['none']): string {
  const spec = validateExperiment(
    { scenario: 'baseline', policies, years: 2, seeds: { master: 5, replications }, design, outputs: ['city.povertyRate'] },
    name,
  );
  // A two-year programme, to fit the runs' two years (a programme longer than its run is refused).
  const plan = planExperiment(spec, scenarioSchema.parse({ policy: { durationYears: 2 } }), name, name);
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  const db = createStore(dir, plan, manifestFor(plan, { shard: 'all' }));
  const record = createRecorder(db, spec.metrics);
  for (const run of plan.runs) {
    const v = plan.points[run.point]!.values as Record<string, number>;
    const u1 = v['households.meanSkill']!;
    const u2 = (v['economy.povertyLine']! - 0.4) / 0.3;
    const rand = seedrandom.alea(`${run.run}`);
    const normal = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const y = 3 * u1 + u2 + (run.policy === 'place-based' ? 0.5 : 0) + noise * normal;
    const result = { series: [{ year: 0, city: { povertyRate: 0 } }, { year: 2, city: { povertyRate: y } }] } as unknown as RunResult;
    record({ run: run.run, result, startedAt: '', ms: 0 });
  }
  closeStore(db);
  return dir;
}

describe('summarize', () => {
  it('Sobol: first-order and total indices near their exact values, seed noise taken out, a note for the inert parameter', async () => {
    const dir = fakeStore('sobol', { type: 'sobol', samples: 512, bootstrap: 200, parameters: PARAMS }, 2, 0.3);
    const s = summarize(dir);
    const [sens] = s.sensitivity;
    expect(sens!.method).toBe('sobol');
    expect(sens!.noiseCorrected).toBe(true);
    expect(sens!.noiseShare!).toBeGreaterThan(0.02);
    const by = Object.fromEntries(sens!.sobol!.map((r) => [r.parameter, r]));
    // Each estimate within sampling error of the exact value, which its bootstrap interval holds.
    const near = (i: { estimate: number; lo: number; hi: number }, exact: number) => {
      expect(Math.abs(i.estimate - exact)).toBeLessThan(0.1);
      expect(i.lo).toBeLessThanOrEqual(exact);
      expect(i.hi).toBeGreaterThanOrEqual(exact);
    };
    near(by['households.meanSkill']!.first, 0.9);
    near(by['households.meanSkill']!.total, 0.9);
    near(by['economy.povertyLine']!.first, 0.1);
    near(by['economy.povertyLine']!.total, 0.1);
    const inert = by['economy.benefit']!;
    expect(Math.abs(inert.total.estimate)).toBeLessThan(0.03);
    expect(inert.total.lo).toBeLessThanOrEqual(0);
    expect(inert.total.hi).toBeGreaterThan(0);
    for (const r of sens!.sobol!) {
      expect(r.first.lo).toBeLessThanOrEqual(r.first.hi);
      expect(r.total.lo).toBeLessThanOrEqual(r.total.hi);
    }
    expect(s.notes.some((n) => /economy\.benefit has a total index .* not distinguishable from zero/.test(n))).toBe(true);
    expect(s.notes.some((n) => /meanSkill has a total/.test(n))).toBe(false);
    const text = await cli('summarize', dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Sobol indices \[95% bootstrap interval\] \(512 base samples, seed noise \d+% .*seed noise taken out\)/);
  });

  it('Morris: μ* per unit of range near 3, 1 and 0, the inert parameter within seed noise', () => {
    const dir = fakeStore('morris', { type: 'morris', trajectories: 30, levels: 4, parameters: PARAMS }, 3, 0.05);
    const [sens] = summarize(dir).sensitivity;
    const by = Object.fromEntries(sens!.morris!.map((r) => [r.parameter, r]));
    expect(by['households.meanSkill']!.muStar).toBeCloseTo(3, 0);
    expect(by['economy.povertyLine']!.muStar).toBeCloseTo(1, 0);
    expect(by['households.meanSkill']!.distinguishable).toBe(true);
    expect(by['economy.benefit']!.distinguishable).toBe(false);
    expect(by['households.meanSkill']!.effects).toBe(30);
    expect(sens!.notes.some((n) => n.includes('economy.benefit') && n.includes('not distinguishable from zero'))).toBe(true);
  });

  it('paired differences against none on the same seeds; means, sd and intervals per policy × point', () => {
    const dir = fakeStore('paired', { type: 'factorial', parameters: { 'households.meanSkill': [0, 1], 'economy.povertyLine': [0.4], 'economy.benefit': [5000] } }, 5, 0.1, ['none', 'place-based']);
    const s = summarize(dir);
    expect(s.cells).toHaveLength(4);
    const cell = s.cells.find((c) => c.policy === 'none' && c.point === 1)!;
    expect(cell.values['households.meanSkill']).toBe(1);
    expect(cell.metrics['city.povertyRate']!.n).toBe(5);
    expect(cell.metrics['city.povertyRate']!.mean).toBeCloseTo(3, 0);
    expect(cell.metrics['city.povertyRate']!.sd).toBeGreaterThan(0);
    expect(s.vsNone).toHaveLength(2);
    for (const p of s.vsNone) {
      expect(p.pairs).toBe(5);
      const d = p.metrics['city.povertyRate']!;
      expect(d.lo).toBeLessThan(0.5 + 1e-9);
      expect(d.hi).toBeGreaterThan(0.5 - 1e-9);
    }
  });
});
