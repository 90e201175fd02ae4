/**
 * schelling-classic and the Schelling model (sim/schelling.ts). The known result: at a 30%
 * threshold, two equal groups at density 0.9 end with about 74% similar neighbours (NetLogo's
 * Segregation model reports about 70-75% at its defaults). Ten seeds × 100 rounds of a 50 × 50
 * grid take well under a second.
 */
import { describe, expect, it } from 'vitest';
import { configHash } from '../../sim/config/load.ts';
import { scenarioSchema } from '../../sim/config/schema.ts';
import { createSchelling } from '../../sim/schelling.ts';
import { createSimulation, runScenario } from '../../sim/simulation.ts';
import { loadScenario } from '../../workers/scenarios.ts';
import { SEEDS, over } from './helpers.ts';

/** Mean share of similar neighbours over the seeds, after `years` (four rounds a year). */
const similar = (sets: string[] = [], years = 25) =>
  over(
    SEEDS.map((seed) => runScenario(loadScenario('schelling-classic', sets), { seed, years })),
    (r) => r.final.city.similarNeighbourShare!,
  );

describe('schelling-classic: the teaching claims over 10 seeds', () => {
  it('a 30% threshold gives about 74% similar neighbours (tolerance ±2 points on the mean)', () => {
    const runs = SEEDS.map((seed) => runScenario(loadScenario('schelling-classic'), { seed, years: 25 }));
    const share = over(runs, (r) => r.final.city.similarNeighbourShare!);
    // Measured: 0.743 (0.736-0.749); seeds from 0.730 to 0.759.
    expect(share.mean).toBeGreaterThan(0.72);
    expect(share.mean).toBeLessThan(0.76);
    for (const r of runs) {
      expect(r.series[0]!.city.similarNeighbourShare).toBeCloseTo(0.5, 1);
      expect(r.final.city.similarNeighbourShare).toBeGreaterThan(0.7);
      expect(r.final.city.similarNeighbourShare).toBeLessThan(0.79);
      // Everyone is content by then, and nobody moves any more.
      expect(r.final.city.unhappyShare).toBe(0);
      expect(r.final.city.movesPerAgent).toBe(0);
    }
  });

  it('tipping: little sorting below a fifth, then a jump; far more similar neighbours than anyone asks for', () => {
    // Measured means: 0.562 at 0.2, 0.742 at 0.3, 0.870 at 0.5.
    const low = similar(['schelling.threshold=0.2']);
    const mid = similar();
    const high = similar(['schelling.threshold=0.5']);
    expect(low.mean).toBeLessThan(0.6);
    expect(mid.mean - low.mean).toBeGreaterThan(0.12);
    expect(high.mean).toBeGreaterThan(mid.mean + 0.08);
    expect(mid.mean).toBeGreaterThan(2 * 0.3);
  });

  it('the continuous variant: weaker sorting than the threshold at weight 2, stronger at weight 5', () => {
    const threshold = similar();
    // The continuous rule settles within a few rounds and then fluctuates (agents keep choosing
    // by chance): 40 rounds are enough, and keep the test cheap.
    const mild = similar(['schelling.rule=continuous'], 10);
    const strong = similar(['schelling.rule=continuous', 'schelling.preferenceWeight=5'], 10);
    // Measured after 100 rounds: 0.614 (weight 2) and 0.956 (weight 5) against 0.743.
    expect(mild.hi).toBeLessThan(threshold.lo);
    expect(strong.lo).toBeGreaterThan(threshold.hi);
  });
});

describe('the Schelling model', () => {
  const config = (s: Record<string, unknown> = {}) => scenarioSchema.parse({ model: 'schelling', schelling: { width: 20, height: 20, ...s } });

  it('fills the grid at the density, in the group shares, and keeps every agent', () => {
    const m = createSchelling(config({ density: 0.8, groupShare: 0.25 }), 3);
    const count = (g: number) => m.grid.filter((x) => x === g).length;
    expect(count(1) + count(2)).toBe(320);
    expect(count(1)).toBe(80);
    m.step(12);
    expect(count(1)).toBe(80);
    expect(count(2)).toBe(240);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = createSchelling(config(), 7);
    const b = createSchelling(config(), 7);
    const c = createSchelling(config(), 8);
    a.step(10);
    b.step(10);
    c.step(10);
    expect(Array.from(a.grid)).toEqual(Array.from(b.grid));
    expect(Array.from(a.grid)).not.toEqual(Array.from(c.grid));
  });

  it('nobody moves at a zero threshold; everyone is counted with its wrapped neighbours', () => {
    const m = createSchelling(config({ threshold: 0 }), 1);
    const before = Array.from(m.grid);
    m.step(8);
    expect(Array.from(m.grid)).toEqual(before);
    expect(m.metrics().movesPerAgent).toBe(0);
  });

  it('reports the share as NetLogo does: similar over occupied neighbours, summed over agents', () => {
    // A 4 × 4 torus: the left two columns group 1, the right two group 2, no empty cell. Each
    // agent has 8 occupied neighbours: 2 above and below it, 3 in the column of its own group
    // beside it (similar), 3 in the other group's column on its other side (the grid wraps).
    const m = createSchelling(config({ width: 4, height: 4, density: 0.99 }), 1);
    for (let k = 0; k < 16; k++) (m.grid as Int8Array)[k] = k % 4 < 2 ? 1 : 2;
    expect(m.metrics().similarNeighbourShare).toBeCloseTo(5 / 8, 10);
  });

  it('runs through the simulation facade: yearly frames of four rounds, maps of the groups', () => {
    const sim = createSimulation(config(), { seed: 1 });
    sim.runYears(2);
    expect(sim.series.map((f) => f.year)).toEqual([0, 1, 2]);
    expect(sim.frame().city.rounds).toBe(8);
    const snap = sim.snapshot();
    expect(snap.n).toBe(400);
    expect(snap.layers.group!.length).toBe(400);
    expect(() => sim.world).toThrow(/no city world/);
  });
});

describe('configuration hashes', () => {
  it('a city hashes without the Schelling group; a Schelling run hashes by what it reads', () => {
    const city = configHash(scenarioSchema.parse({}));
    expect(configHash(scenarioSchema.parse({ schelling: { threshold: 0.5 } }))).toBe(city);
    const a = configHash(scenarioSchema.parse({ model: 'schelling' }));
    expect(a).not.toBe(city);
    expect(configHash(scenarioSchema.parse({ model: 'schelling', schelling: { threshold: 0.5 } }))).not.toBe(a);
    expect(configHash(scenarioSchema.parse({ model: 'schelling', households: { count: 999 } }))).toBe(a);
  });
});
