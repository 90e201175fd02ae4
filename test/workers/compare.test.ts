/**
 * `regensim compare`: the documented JSON, paired counterfactuals (shared when their
 * configuration is the same), results independent of the number of workers, the readable table,
 * and exit 2 for bad flags and for a policy configuration the engine refuses.
 *
 * The runs are real (a 16 × 16 city of 6,000 households, five years) and go through the worker
 * pool, as on the command line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../sim/config/load.ts';
import { POLICY_KINDS } from '../../sim/config/schema.ts';
import { INDICATORS } from '../../sim/metrics/evaluation.ts';
import type { RunResult } from '../../sim/types.ts';
import { main } from '../../workers/cli.ts';
import { captureCli } from './capture.ts';
import {
  CompareRunError,
  FINAL_BLOCKS,
  PAIRING_METRICS,
  aggregate,
  collectRuns,
  planComparison,
  type Comparison,
} from '../../workers/compare.ts';
import { loadScenario } from '../../workers/scenarios.ts';
import { createApi } from '../../workers/api.ts';

// Which kinds are implemented changes as policies are added; this file takes one out of the
// registry (for the CLI, which reads it) so that "valid but not available" is always exercised.
const { HIDDEN } = vi.hoisted(() => ({ HIDDEN: 'integrated' }));
vi.mock('../../sim/policies/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../sim/policies/index.ts')>();
  const { [HIDDEN]: _hidden, ...rest } = real.POLICIES;
  return { ...real, POLICIES: rest };
});

let dir: string;
let file: string;

/** Runs main() with stdout and stderr captured. */
function cli(...argv: string[]) {
  return captureCli(main, argv);
}

function expectUserError(r: { code: number; stdout: string; stderr: string }, ...fragments: string[]) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^regensim: /);
  expect(r.stderr).not.toContain('    at ');
  for (const f of fragments) expect(r.stderr).toContain(f);
}

const COMMON = ['--years', '5', '--seeds', '3', '--policies', 'none,place-based', '--json'];
let json2: Comparison;
let json1: Comparison;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regensim-compare-'));
  file = join(dir, 'small.json');
  writeFileSync(
    file,
    JSON.stringify({
      extends: 'baseline',
      name: 'small',
      city: { width: 16, height: 16 },
      households: { count: 6000 },
      policy: { startYear: 1, durationYears: 3, budgetPerYear: 500000 },
    }),
  );
  const a = await cli('compare', file, ...COMMON, '--workers', '2');
  expect(a.code, a.stderr).toBe(0);
  json2 = JSON.parse(a.stdout) as Comparison;
  const b = await cli('compare', file, ...COMMON, '--workers', '1');
  expect(b.code, b.stderr).toBe(0);
  json1 = JSON.parse(b.stdout) as Comparison;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compare --json', () => {
  it('has the documented keys, the seeds and the equal budget', () => {
    expect(Object.keys(json2)).toEqual(['version', 'scenario', 'seeds', 'years', 'budget', 'policies']);
    expect(json2.scenario).toBe('small');
    expect(json2.seeds).toEqual([1, 2, 3]);
    expect(json2.years).toBe(5);
    expect(json2.budget).toEqual({ perYear: 500000, years: 3 });
    expect(Object.keys(json2.policies)).toEqual(['none', 'place-based']);
    for (const p of Object.values(json2.policies)) {
      expect(Object.keys(p)).toEqual(['final', 'vsNone', 'evaluation', 'pairing']);
      expect(Object.keys(p.final)).toEqual([...FINAL_BLOCKS]);
      expect(p.final.target!.povertyRate).toBeGreaterThan(0);
      expect(p.vsNone['target.povertyRate']).toEqual({ mean: expect.any(Number), lo: expect.any(Number), hi: expect.any(Number) });
      for (const key of Object.keys(p.vsNone)) expect(key).toMatch(/^(city|target|ring|comparison|rest|originalResidents|stayers|leavers|inMovers|grownChildren|churn)\./);
      expect(Object.keys(p.pairing)).toEqual([...PAIRING_METRICS]);
    }
  });

  it('pairs none with itself: every difference is exactly 0 with a zero-width interval', () => {
    const none = json2.policies.none!;
    expect(Object.keys(none.vsNone).length).toBeGreaterThan(50);
    for (const iv of Object.values(none.vsNone)) expect(iv).toEqual({ mean: 0, lo: 0, hi: 0 });
    expect(none.pairing['target.povertyRate']!.pairedVariance).toBe(0);
  });

  it('gives a place-based policy a spread, and an evaluation of 15 indicators', () => {
    const pb = json2.policies['place-based']!;
    const iv = pb.vsNone['target.povertyRate']!;
    expect(iv.lo).toBeLessThanOrEqual(iv.mean);
    expect(iv.hi).toBeGreaterThanOrEqual(iv.mean);
    expect(pb.final.spending!.total).toBeGreaterThan(0);
    for (const p of Object.values(json2.policies)) {
      const e = p.evaluation!;
      expect(e.total).toBe(15);
      expect(e.indicators.map((r) => r.name)).toEqual(INDICATORS.map((i) => i.name));
      expect(e.better).toBeLessThanOrEqual(e.total);
      expect(e.significant).toBeLessThanOrEqual(e.better);
    }
  });

  it('does not depend on the number of workers', () => {
    expect(json1).toEqual(json2);
  });
});

describe('compare, readable', () => {
  it('prints the table and the evaluation lines', async () => {
    const r = await cli('compare', file, '--years', '3', '--seeds', '2', '--policies', 'none,place-based');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Equal budget: every policy spends £500,000 a year for 3 years from year 1');
    // Runs that stop mid-programme say how much of it they saw.
    expect(r.stdout).toContain('The runs stop at year 3, 2 of those years in (£1,000,000): the effects are mid-programme.');
    expect(r.stdout).toMatch(/none\s+better on \d+ of 15, \d+ significant/);
    expect(r.stdout).toMatch(/place-based\s+better on \d+ of 15, \d+ significant/);
    expect(r.stdout).toContain('target poverty');
    // Skills and schooling as people and as place, on the 0–1 scale, paired like the rest.
    expect(r.stdout).toMatch(/orig\. residents skill\s+0\s+[+-]?\d\.\d{3} \(/);
    expect(r.stdout).toMatch(/target child attainment\s+0\s+[+-]?\d\.\d{3} \(/);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });
});

describe('compare, bad input', () => {
  const bad = (...argv: string[]) => cli('compare', file, ...argv);

  it('rejects bad --seeds, --years and --workers, naming the flag', async () => {
    expectUserError(await bad('--seeds', '1'), '--seeds', '≥ 2');
    expectUserError(await bad('--seeds', 'many'), '--seeds');
    expectUserError(await bad('--years', '1'), '--years 1', 'year 1', '≥ 2');
    expectUserError(await bad('--years', '-3'), '--years');
    expectUserError(await bad('--workers', '0'), '--workers');
    expectUserError(await bad('--seed', '1.5'), '--seed');
    expectUserError(await bad('--frobnicate'), 'unknown option --frobnicate');
  });

  it('rejects unknown policies listing every kind, and unimplemented ones listing the available', async () => {
    const unknown = await bad('--policies', 'none,placebased');
    expectUserError(unknown, '"placebased"', 'place-based', POLICY_KINDS.join(', '));
    const missing = await bad('--policies', `none,${HIDDEN}`);
    expectUserError(missing, HIDDEN, 'not available in this version', 'available: none');
    expect(missing.stderr).not.toContain(`available: ${POLICY_KINDS.join(', ')}`);
  });

  it('reports a policy configuration the engine refuses, or the schema refuses, as bad input', async () => {
    const r = await bad('--years', '4', '--seeds', '2', '--policies', 'place-based', '--set', 'policy.boundary={"type":"cells","cells":[99999]}');
    expectUserError(r, 'policy.boundary.cells');
    expectUserError(await bad('--set', 'policy.budgetPerYear=0'), 'policy.budgetPerYear');
    // A programme longer than the whole run (3 years in a run of 2) is refused before any run.
    expectUserError(await bad('--years', '2', '--seeds', '2', '--policies', 'place-based'), 'field "policy.durationYears": expected at most 2', 'run at least 4 years');
  });
});

describe('planComparison', () => {
  const config = loadScenario('baseline', ['city.width=16', 'city.height=16', 'households.count=6000']);

  /** An output's configuration and seed: its task's own, or the one its task tracks. */
  const outputOf = (plan: ReturnType<typeof planComparison>, o: number) => {
    const { task, tracked } = plan.outputs[o]!;
    const t = plan.tasks[task]!;
    return { config: tracked < 0 ? t.config : t.track![tracked]!, seed: t.seed };
  };

  it('pairs each run with the same configuration under none, sharing identical counterfactuals', () => {
    for (const share of [true, false]) {
      const plan = planComparison(config, ['none', 'place-based', 'micro-regeneration'], [7, 8], 3, { shareCounterfactuals: share });
      for (const [kind, { policy, counterfactual }] of Object.entries(plan.runs)) {
        policy.forEach((p, i) => {
          const own = outputOf(plan, p);
          const cf = outputOf(plan, counterfactual[i]!);
          expect(own.seed).toBe(cf.seed);
          expect(own.config.policy.kind).toBe(kind);
          expect(cf.config.policy.kind).toBe('none');
          expect(cf.config.policy.boundary).toEqual(own.config.policy.boundary);
          expect({ ...cf.config, policy: { ...cf.config.policy, kind: kind } }).toEqual(own.config);
        });
      }
      // none is its own counterfactual and place-based shares it (the same default rule), while
      // micro-regeneration draws its own kind of target: 3 policies + 1 counterfactual × 2 seeds.
      expect(plan.runs.none!.counterfactual).toEqual(plan.runs.none!.policy);
      expect(plan.runs['place-based']!.counterfactual).toEqual(plan.runs.none!.policy);
      expect(plan.outputs).toHaveLength(8);
      expect(new Set(plan.labels).size).toBe(8);
      // Shared, micro-regeneration's counterfactual is followed by the seed's run of none: 3 runs a seed.
      expect(plan.tasks).toHaveLength(share ? 6 : 8);
      expect(new Set(plan.tasks.map((t) => t.id)).size).toBe(plan.tasks.length);
      const cf = plan.outputs[plan.runs['micro-regeneration']!.counterfactual[0]!]!;
      expect(cf.tracked).toBe(share ? 0 : -1);
      if (share) expect(cf.task).toBe(plan.outputs[plan.runs.none!.policy[0]!]!.task);
    }
  });

  it('gives the same results with shared counterfactuals as with a run for each', () => {
    const small = loadScenario('baseline', ['city.width=12', 'city.height=12', 'households.count=4000', 'run.spinUpYears=1', 'policy.startYear=1', 'policy.durationYears=2']);
    const kinds = ['none', 'place-based', 'hub-based', 'micro-regeneration', 'people-based'];
    const results = (share: boolean) => {
      const plan = planComparison(small, kinds, [3, 4], 3, { shareCounterfactuals: share });
      const api = createApi();
      return { plan, runs: collectRuns(plan, plan.tasks.map((t) => api.runTask(t))) };
    };
    const shared = results(true);
    const separate = results(false);
    expect(shared.plan.tasks.length).toBeLessThan(separate.plan.tasks.length);
    expect(shared.plan.labels).toEqual(separate.plan.labels);
    expect(shared.plan.runs).toEqual(separate.plan.runs);
    shared.runs.forEach((r, i) => expect(JSON.stringify(r), shared.plan.labels[i]).toBe(JSON.stringify(separate.runs[i])));
    expect(aggregate(small, shared.plan, shared.runs, [3, 4], 3)).toEqual(aggregate(small, separate.plan, separate.runs, [3, 4], 3));
  });

  it('turns a failed run into a CompareRunError, and a refused boundary into a ConfigError', () => {
    const plan = planComparison(config, ['none'], [1, 2], 3);
    const ok = { id: 'x', ms: 1, result: {} as RunResult };
    expect(() => collectRuns(plan, [ok, { id: 'none, seed 2', ms: 1, error: 'the worker running it died (exit code 1)' }])).toThrow(
      CompareRunError,
    );
    expect(() => collectRuns(plan, [{ id: 'none, seed 1', ms: 1, error: 'policy.boundary.areas: too many areas' }, ok])).toThrow(ConfigError);
  });
});

describe('aggregate', () => {
  const config = loadScenario('baseline');
  const run = (seed: number, target: Record<string, number>, policy = 'none'): RunResult => ({
    version: 'v',
    scenario: 'baseline',
    policy,
    seed,
    years: 3,
    configHash: '',
    final: { city: { povertyRate: 0.2 }, target, ring: { povertyRate: 0.1, firms: 10 } },
    series: [],
  });

  it('means over seeds, pairs by seed and compares with the next seed cyclically', () => {
    const plan = planComparison(config, ['place-based'], [1, 2, 3], 3);
    const byId = (p: number[], c: number[]) => ({ p, c });
    const { p, c } = byId(plan.runs['place-based']!.policy, plan.runs['place-based']!.counterfactual);
    const runs: RunResult[] = [];
    const cfTarget = [0.3, 0.5, 0.1];
    const effect = [0.01, 0.02, 0.03];
    p.forEach((t, i) => (runs[t] = run(i + 1, { povertyRate: cfTarget[i]! + effect[i]! }, 'place-based')));
    c.forEach((t, i) => (runs[t] = run(i + 1, { povertyRate: cfTarget[i]! })));
    const out = aggregate(config, plan, runs, [1, 2, 3], 3).policies['place-based']!;
    expect(out.final.target!.povertyRate).toBeCloseTo(0.32, 12);
    expect(out.vsNone['target.povertyRate']!.mean).toBeCloseTo(0.02, 12);
    expect(out.vsNone['city.povertyRate']).toEqual({ mean: 0, lo: 0, hi: 0 });
    const row = out.pairing['target.povertyRate']!;
    expect(row.pairedVariance).toBeCloseTo(0.0001, 12);
    // Unpaired: policy seed i minus counterfactual seed i+1: 0.31−0.5, 0.52−0.1, 0.13−0.3.
    const u = [0.31 - 0.5, 0.52 - 0.1, 0.13 - 0.3];
    const m = (u[0]! + u[1]! + u[2]!) / 3;
    expect(row.unpairedVariance).toBeCloseTo(u.reduce((a, x) => a + (x - m) ** 2, 0) / 2, 12);
    expect(row.ratio).toBeCloseTo(row.pairedVariance! / row.unpairedVariance!, 12);
    expect(out.evaluation).toBeNull();
  });
});
