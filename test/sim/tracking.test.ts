/**
 * Trackers (sim/world.ts, option `track` of createSimulation): one run without a programme,
 * following the regions of several boundary rules, reports for each rule exactly what a separate
 * run drawn with that rule reports — to the last digit — and its own result is unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../sim/config/schema.ts';
import { boundaryRuleOf } from '../../sim/policies/index.ts';
import { createSimulation, runScenario, runTracked } from '../../sim/simulation.ts';
import { smallConfig } from './helpers.ts';

/** The small city with a short spin-up, the programme from year 1, and `kind`'s target rule. */
function withRuleOf(kind: string, extra: Record<string, unknown> = {}): ScenarioConfig {
  const cfg = smallConfig({ run: { spinUpYears: 1 }, policy: { startYear: 1, durationYears: 3, ...extra } } as never);
  const own = { ...cfg, policy: { ...cfg.policy, kind } } as ScenarioConfig;
  const rule = boundaryRuleOf(own);
  return { ...cfg, policy: { ...cfg.policy, kind: 'none', ...(rule ? { boundary: rule } : {}) } } as ScenarioConfig;
}

describe('a run that tracks other rules', () => {
  const base = withRuleOf('place-based');
  const others = [withRuleOf('hub-based'), withRuleOf('micro-regeneration'), withRuleOf('people-based')];

  it('reports for each rule the result of its own run, and its own result unchanged', () => {
    const seed = 4;
    const { result, tracked } = runTracked(base, { seed, years: 5, track: others });
    expect(JSON.stringify(result)).toBe(JSON.stringify(runScenario(base, { seed, years: 5 })));
    expect(tracked).toHaveLength(others.length);
    others.forEach((cfg, i) => {
      const alone = runScenario(cfg, { seed, years: 5 });
      expect(JSON.stringify(tracked[i]), `tracked ${i}`).toBe(JSON.stringify(alone));
    });
    // The rules draw different targets: the tracked results are not copies of the run's.
    expect(tracked[0]!.final.target).toBeDefined();
    expect(tracked[0]!.final.target).not.toEqual(result.final.target);
  });

  it('matches a separate run with the index-switch report too', () => {
    const alt = { type: 'index', weights: 'ild1998', quotaHouseholds: 800 };
    const a = withRuleOf('place-based', { compareBoundary: alt });
    const b = withRuleOf('micro-regeneration', { compareBoundary: alt });
    const { tracked } = runTracked(a, { seed: 2, years: 3, track: [b] });
    expect(tracked[0]!.final.boundaries).toBeDefined();
    expect(JSON.stringify(tracked[0])).toBe(JSON.stringify(runScenario(b, { seed: 2, years: 3 })));
  });

  it('refuses what one run cannot stand for', () => {
    const policy = { ...base, policy: { ...base.policy, kind: 'place-based' } } as ScenarioConfig;
    expect(() => createSimulation(policy, { seed: 1, track: others })).toThrow(/track: only a run without a programme/);
    const bigger = { ...others[0]!, households: { ...others[0]!.households, count: 4100 } } as ScenarioConfig;
    expect(() => createSimulation(base, { seed: 1, track: [bigger] })).toThrow(/track\[0\]: .*only in policy\.boundary/);
  });
});
