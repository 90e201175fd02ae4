/**
 * Determinism: a run is a function of its configuration and seed only. The same seed reproduces
 * the same result byte for byte; another seed gives another result; and two simulations advanced
 * in alternation match the same two run one after the other (no state shared between worlds).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimulation, runScenario, spinUp, spinUpKey } from '../../sim/simulation.ts';
import { cloneWorld } from '../../sim/world.ts';
import type { Simulation } from '../../sim/simulation.ts';
import { smallConfig } from './helpers.ts';

const YEARS = 3;
const config = smallConfig();

/** Everything a run leaves in its stores that a later tick or a metric could read. */
function fingerprint(sim: Simulation): string {
  const w = sim.world;
  const h = w.households;
  const f = w.firms;
  const c = w.cells;
  const m = w.moves;
  const arrays: Record<string, ArrayLike<number>> = {
    alive: h.alive.subarray(0, h.count), id: h.id.subarray(0, h.count), cell: h.cell.subarray(0, h.count),
    income: h.income.subarray(0, h.count), employer: h.employer.subarray(0, h.count), skill: h.skill.subarray(0, h.count),
    health: h.health.subarray(0, h.count), attainment: h.attainment.subarray(0, h.count), tenure: h.tenure.subarray(0, h.count),
    firmAlive: f.alive.subarray(0, f.count), firmCell: f.cell.subarray(0, f.count), jobs: f.jobs.subarray(0, f.count),
    filled: f.filled.subarray(0, f.count), rent: c.rent, crime: c.crime, cohesion: c.cohesion, units: c.units,
    outOfWorkQuarters: c.outOfWorkQuarters, workingAgeQuarters: c.workingAgeQuarters,
    moveHid: m.hid.subarray(0, m.length), moveTo: m.to.subarray(0, m.length), moveReason: m.reason.subarray(0, m.length),
  };
  const parts = Object.entries(arrays).map(([k, a]) => `${k}:${Array.from(a).join(',')}`);
  return JSON.stringify({ series: sim.series, city: w.city, parts });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('determinism', () => {
  it('reproduces the same run JSON from the same configuration and seed', () => {
    const a = JSON.stringify(runScenario(config, { seed: 11, years: YEARS }));
    const b = JSON.stringify(runScenario(config, { seed: 11, years: YEARS }));
    expect(a).toBe(b);
    // The run really covers the years asked for (a trivially empty result would also be equal).
    expect(JSON.parse(a).series).toHaveLength(YEARS + 1);
  });

  it('gives a different run for a different seed', () => {
    const a = runScenario(config, { seed: 11, years: YEARS });
    const b = runScenario(config, { seed: 12, years: YEARS });
    expect(JSON.stringify(a.series)).not.toBe(JSON.stringify(b.series));
    expect(a.final.city).not.toEqual(b.final.city);
  });

  it('keeps no hidden state between simulations: interleaved steps match separate runs', () => {
    const ticks = YEARS * 4;
    const separateA = createSimulation(config, { seed: 21 });
    separateA.step(ticks);
    const separateB = createSimulation(config, { seed: 22 });
    separateB.step(ticks);

    const a = createSimulation(config, { seed: 21 });
    const b = createSimulation(config, { seed: 22 });
    for (let t = 0; t < ticks; t++) {
      a.step(1);
      b.step(1);
    }
    expect(fingerprint(a)).toBe(fingerprint(separateA));
    expect(fingerprint(b)).toBe(fingerprint(separateB));
  });

  it('interleaves two simulations of the same seed without either disturbing the other', () => {
    const a = createSimulation(config, { seed: 31 });
    const b = createSimulation(config, { seed: 31 });
    // b starts two quarters late, so the two are never at the same tick when they step.
    a.step(2);
    for (let t = 0; t < 6; t++) {
      a.step(1);
      b.step(1);
    }
    b.step(2);
    expect(a.tick).toBe(b.tick);
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('a run from a copy of a shared spin-up equals a run that spun up on its own', () => {
    // Two spin-up years on the small city; a place-based run and its counterfactual share them.
    const spun = smallConfig({ run: { spinUpYears: 2 }, policy: { kind: 'place-based', startYear: 1, durationYears: 2 } });
    const none = smallConfig({ run: { spinUpYears: 2 }, policy: { kind: 'none', startYear: 1 } });
    expect(spinUpKey(spun, 8)).toBe(spinUpKey(none, 8));
    expect(spinUpKey(spun, 8)).not.toBe(spinUpKey(spun, 9));
    expect(spinUpKey(spun, 8)).not.toBe(spinUpKey(smallConfig({ run: { spinUpYears: 3 } }), 8));
    const shared = spinUp(none, 8);
    expect(shared.city.tick).toBe(8);
    const own = JSON.stringify(runScenario(spun, { seed: 8, years: 4 }));
    const fromCopy = JSON.stringify(runScenario(spun, { seed: 8, years: 4, world: cloneWorld(shared, spun) }));
    const again = JSON.stringify(runScenario(spun, { seed: 8, years: 4, world: cloneWorld(shared, spun) }));
    expect(fromCopy).toBe(own);
    expect(again).toBe(own);
    // The copies left the shared world untouched.
    expect(shared.city.tick).toBe(8);
    // Year 0 of the report is the end of the spin-up, and the programme starts after it.
    const r = JSON.parse(own) as { series: { year: number; target?: unknown }[] };
    expect(r.series.map((f) => f.year)).toEqual([0, 1, 2, 3, 4]);
    expect(r.series[0]!.target).toBeUndefined();
    expect(r.series[2]!.target).toBeDefined();
  });

  it('refuses a world that is not at year 0 of this configuration and seed', () => {
    const none = smallConfig({ run: { spinUpYears: 1 } });
    expect(() => createSimulation(none, { seed: 8, world: spinUp(smallConfig(), 8) })).toThrow(/not at year 0/);
    expect(() => createSimulation(none, { seed: 9, world: spinUp(none, 8) })).toThrow(/seed/);
  });

  it('draws no randomness or time from the host (Math.random, Date.now, performance.now)', () => {
    const random = vi.spyOn(Math, 'random');
    const now = vi.spyOn(Date, 'now');
    const perf = vi.spyOn(performance, 'now');
    runScenario(config, { seed: 5, years: 1 });
    expect(random).not.toHaveBeenCalled();
    expect(now).not.toHaveBeenCalled();
    expect(perf).not.toHaveBeenCalled();
  });
});
