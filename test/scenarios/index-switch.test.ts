/**
 * index-switch: the same city's target drawn by the IMD 2019 weights and by the income-and-
 * employment-heavy ILD 1998 weights. Only the start matters, so each run stops there; the
 * default city is used (256 statistical units: a deprived tenth of 26 is enough to see units
 * change status). Ten seeds: 10 runs of two years.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { indexSwitch, type BoundaryRule } from '../../sim/boundaries.ts';
import { startTickOf } from '../../sim/policies/index.ts';
import { createSimulation } from '../../sim/simulation.ts';
import { loadScenario } from '../../workers/scenarios.ts';
import { SEEDS, over } from './helpers.ts';

type Report = Record<string, number>;
let runs: Report[];
beforeAll(() => {
  const config = loadScenario('index-switch');
  // The report is drawn just before the programme's first quarter: step the engine to that tick
  // and read it from the simulation, without running the rest of the year.
  runs = SEEDS.map((seed) => {
    const sim = createSimulation(config, { seed });
    sim.step(startTickOf(config));
    return indexSwitch(sim.world, config.policy.boundary as BoundaryRule, config.policy.compareBoundary as BoundaryRule);
  });
});
const b = (k: string) => (r: Report) => r[k]!;

describe('index-switch over 10 seeds', () => {
  it('the two indices call different units deprived', () => {
    // Measured: overlap of the deprived tenth 0.87 (0.84-0.90); 2-6 units change status.
    for (const r of runs) {
      expect(b('deprivedOverlap')(r)).toBeLessThan(1);
      expect(b('unitsChangingStatus')(r)).toBeGreaterThanOrEqual(1);
    }
  });

  it('and often draw a different target: overlap below 1', () => {
    // Measured: 0.65 (0.32-0.97); in three seeds the two targets share no cell, in four all.
    const overlap = over(runs, b('targetOverlap'));
    expect(overlap.hi).toBeLessThan(1);
    expect(runs.some((r) => b('targetOverlap')(r) < 0.5)).toBe(true);
  });

  it.fails('switching raises the deprived share of the north and middle by about 15% (study)', () => {
    // Measured: -1% (-6% to +4%). The generated city has no north: its old industrial districts
    // are placed at random, so no third of it is systematically poorer on income and employment
    // than on the other domains, which is what the English shift reflected.
    const change = over(runs, b('northMiddleChange'));
    expect(change.lo).toBeGreaterThan(0.05);
  });
});
