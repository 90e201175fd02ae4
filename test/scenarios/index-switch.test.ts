/**
 * index-switch: the same city's target drawn by the IMD 2019 weights and by the income-and-
 * employment-heavy ILD 1998 weights. Only the start matters, so each run stops there. A 24 × 24
 * city (28,125 households, 144 statistical units: a deprived tenth of 14 is enough to see units
 * change status; each target 8% of the households, as the default city's 4,000 are) costs about
 * half the default's spin-up. Ten seeds: 10 runs to year 2. The teaching note quotes the default
 * city's figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { indexSwitch, type BoundaryRule } from '../../sim/boundaries.ts';
import { startTickOf } from '../../sim/policies/index.ts';
import { createSimulation } from '../../sim/simulation.ts';
import { originTickOf } from '../../sim/world.ts';
import { loadScenario } from '../../workers/scenarios.ts';
import { SEEDS, over } from './helpers.ts';

type Report = Record<string, number>;
let runs: Report[];
beforeAll(() => {
  const quota = 2250;
  const config = loadScenario('index-switch', [
    'city.width=24',
    'city.height=24',
    'households.count=28125',
    `policy.boundary.quotaHouseholds=${quota}`,
    `policy.compareBoundary.quotaHouseholds=${quota}`,
  ]);
  // The report is drawn just before the programme's first quarter: step the engine to that tick
  // and read it from the simulation, without running the rest of the year.
  runs = SEEDS.map((seed) => {
    const sim = createSimulation(config, { seed });
    sim.step(startTickOf(config) - originTickOf(config));
    return indexSwitch(sim.world, config.policy.boundary as BoundaryRule, config.policy.compareBoundary as BoundaryRule);
  });
});
const b = (k: string) => (r: Report) => r[k]!;

describe('index-switch over 10 seeds', () => {
  it('the two indices call different units deprived', () => {
    // Measured: overlap of the deprived tenth 0.79 (0.71-0.87); 0-6 of 14 units change status, none
    // in one seed of ten. The domains move together — the sick gather where incomes are low
    // (docs/ODD.md §6.2) — so reweighting them changes fewer units than it did (0.72 before the
    // sick, 4-6 units in every seed).
    expect(over(runs, b('deprivedOverlap')).hi).toBeLessThan(1);
    expect(runs.filter((r) => b('unitsChangingStatus')(r) >= 1).length).toBeGreaterThanOrEqual(8);
  });

  it('and often draw a different target: overlap below 1', () => {
    // Measured: 0.77 (0.54-0.998); from 0 to 1 by seed (0.81 on the default city).
    const overlap = over(runs, b('targetOverlap'));
    expect(overlap.hi).toBeLessThan(1);
    expect(runs.filter((r) => b('targetOverlap')(r) < 1).length).toBeGreaterThanOrEqual(5);
  });

  it.fails('switching raises the deprived share of the north and middle by about 15% (study)', () => {
    // Measured: +6.9% (-5.2% to +19.1%) here, +1.4% (-4.2% to +7.0%) on the default city: on
    // neither city does the interval exclude no change. The generated city has no north: its old
    // industrial districts are placed at random, so no third of it is systematically poorer on
    // income and employment than on the other domains, which is what the English shift reflected.
    const change = over(runs, b('northMiddleChange'));
    expect(change.lo).toBeGreaterThan(0.05);
  });
});
