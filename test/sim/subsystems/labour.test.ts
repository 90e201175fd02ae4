/**
 * Labour market: job search decays with distance, and poor health raises separations.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../sim/rng.ts';
import { indexFirmsByCell, labour, searchJob } from '../../../sim/subsystems/labour.ts';
import type { World } from '../../../sim/world.ts';
import { housedSlots, smallWorld } from '../helpers.ts';

/**
 * A world where one firm, with plenty of vacancies and no skill requirement, is the only firm
 * (the others are closed for the experiment), placed at `cell`.
 */
function loneFirm(w: World, cell: number): number {
  const f = w.firms;
  let lone = -1;
  for (let i = 0; i < f.count; i++) {
    if (!f.alive[i]) continue;
    if (lone < 0) lone = i;
    else f.alive[i] = 0;
  }
  f.cell[lone] = cell;
  f.skillReq[lone] = 0;
  f.jobs[lone] = f.filled[lone]! + 1_000_000;
  indexFirmsByCell(w);
  return lone;
}

/** Share of `trials` searches of household s that end in a hire (each hire undone). */
function hireRate(w: World, s: number, firm: number, trials: number, seed: number): number {
  const h = w.households;
  const rs = createRng(seed).stream('search-test');
  let hires = 0;
  for (let t = 0; t < trials; t++) {
    if (searchJob(w, s, w.config.labour.searchContacts, rs)) {
      expect(h.employer[s]).toBe(firm);
      hires++;
      h.employer[s] = -1;
      w.firms.filled[firm]!--;
    }
  }
  return hires / trials;
}

describe('labour: job search', () => {
  it('hires more often when the vacancies are near home than when they are far', () => {
    const w = smallWorld(16);
    const h = w.households;
    const retire = w.config.labour.retirementAge;
    const s = housedSlots(w).find((x) => h.age[x]! < retire && h.employer[x]! < 0)!;
    expect(s).toBeDefined();
    h.health[s] = 1;
    const home = h.cell[s]!;
    // The farthest cell still within the commute radius of home.
    const { offset, index, dist } = w.commute;
    let far = -1;
    let farDist = 0;
    for (let e = offset[home]!; e < offset[home + 1]!; e++) {
      if (dist[e]! > farDist && dist[e]! <= w.config.labour.commuteRadius) {
        farDist = dist[e]!;
        far = index[e]!;
      }
    }
    expect(farDist).toBeGreaterThan(w.config.labour.distanceDecay / 2);

    const firm = loneFirm(w, home);
    const trials = 6000;
    const near = hireRate(w, s, firm, trials, 1);
    w.firms.cell[firm] = far;
    indexFirmsByCell(w);
    const away = hireRate(w, s, firm, trials, 1);
    // A contact is kept with probability exp(−d/decay): the expected ratio near/far is
    // exp(farDist/decay) (≥ e^0.5 ≈ 1.65 by the check above). With ~6,000 trials the hire counts
    // have relative standard errors under 10%, so half the expected excess is a safe bound.
    const expected = Math.exp(farDist / w.config.labour.distanceDecay);
    expect(near).toBeGreaterThan(0.01);
    expect(near / Math.max(away, 1e-9)).toBeGreaterThan(1 + (expected - 1) / 2);
    // A firm beyond the commute radius is never found.
    let outside = -1;
    const reach = new Set<number>();
    for (let e = offset[home]!; e < offset[home + 1]!; e++) reach.add(index[e]!);
    for (let k = 0; k < w.cells.n && outside < 0; k++) if (!reach.has(k)) outside = k;
    if (outside >= 0) {
      w.firms.cell[firm] = outside;
      indexFirmsByCell(w);
      expect(hireRate(w, s, firm, 500, 2)).toBe(0);
    }
  });

  it('hires less often when the job asks more skill than the searcher has', () => {
    const w = smallWorld(16);
    const h = w.households;
    const retire = w.config.labour.retirementAge;
    const s = housedSlots(w).find((x) => h.age[x]! < retire && h.employer[x]! < 0)!;
    h.health[s] = 1;
    h.skill[s] = 0.3;
    const firm = loneFirm(w, h.cell[s]!);
    const matched = hireRate(w, s, firm, 4000, 3);
    w.firms.skillReq[firm] = 0.3 + 2 * w.config.labour.skillTolerance;
    const shortfall = hireRate(w, s, firm, 4000, 3);
    // Expected ratio e^2 ≈ 7.4 per contact; a factor 2 leaves room for sampling noise (~10%).
    expect(matched).toBeGreaterThan(2 * shortfall);
  });
});

describe('labour: separations', () => {
  it('separates workers in poor health more often (common random numbers: a superset of separations)', () => {
    const healthy = smallWorld(17);
    const sick = smallWorld(17);
    const retire = healthy.config.labour.retirementAge;
    const h = healthy.households;
    const workers = housedSlots(healthy).filter((s) => h.employer[s]! >= 0 && h.age[s]! < retire - 1);
    expect(workers.length).toBeGreaterThan(1000);
    for (const w of [healthy, sick]) {
      // No firm over its job count, so separations come from the health hazard and base rate only.
      const f = w.firms;
      for (let i = 0; i < f.count; i++) if (f.alive[i]) f.jobs[i] = Math.max(f.jobs[i]!, f.filled[i]!);
      for (const s of workers) w.households.health[s] = w === healthy ? 1 : 0;
    }
    let separatedHealthy = 0;
    let separatedSick = 0;
    for (let q = 0; q < 4; q++) {
      const wasEmployed = workers.filter((s) => healthy.households.employer[s]! >= 0 && sick.households.employer[s]! >= 0);
      labour.step(healthy);
      labour.step(sick);
      for (const s of wasEmployed) {
        const lostHealthy = healthy.households.employer[s]! < 0;
        const lostSick = sick.households.employer[s]! < 0;
        // The same keyed draw decides both: whoever separates in health also separates in sickness.
        if (lostHealthy) expect(lostSick).toBe(true);
        if (lostHealthy) separatedHealthy++;
        if (lostSick) separatedSick++;
      }
      healthy.city.tick++;
      sick.city.tick++;
    }
    const exposure = workers.length * 4;
    const base = healthy.config.labour.separationRate;
    const extra = healthy.config.labour.healthSeparation;
    // Expected quarterly rates: `base` in full health, `base + extra` at the worst. Tolerance: the
    // observed rates are within ±50% of those (binomial standard error here is under 15%).
    expect(separatedSick).toBeGreaterThan(separatedHealthy);
    expect(separatedHealthy / exposure).toBeGreaterThan(0.5 * base);
    expect(separatedHealthy / exposure).toBeLessThan(1.5 * base);
    expect(separatedSick / exposure).toBeGreaterThan(0.5 * (base + extra));
    expect(separatedSick / exposure).toBeLessThan(1.5 * (base + extra));
  });

  it('releases the workers of a firm that closed (or shrank to nothing) in the same labour step', () => {
    const w = smallWorld(18);
    const f = w.firms;
    let firm = -1;
    for (let i = 0; i < f.count; i++) if (f.alive[i] && (firm < 0 || f.filled[i]! > f.filled[firm]!)) firm = i;
    const staff = housedSlots(w).filter((s) => w.households.employer[s] === firm);
    expect(staff.length).toBeGreaterThan(3);
    f.alive[firm] = 0;
    f.jobs[firm] = 0;
    labour.step(w);
    for (const s of staff) expect(w.households.employer[s]).not.toBe(firm);
    expect(f.filled[firm]).toBe(0);
  });
});
