/**
 * Labour market: job search decays with distance, poor health raises separations, and a
 * working-age head in health below the thresholds leaves work and stops searching until it
 * recovers (out of work through ill health).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../sim/rng.ts';
import { census } from '../../../sim/census.ts';
import { domainScores, recordEmploymentQuarter, startEmploymentQuarters } from '../../../sim/metrics/deprivation.ts';
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
    // Thresholds at 0: this test is about the hazard, not about leaving work through ill health.
    const noSickness = { labour: { sickThreshold: 0, sickLeaveThreshold: 0 } };
    const healthy = smallWorld(17, noSickness);
    const sick = smallWorld(17, noSickness);
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

describe('labour: out of work through ill health', () => {
  it('a worker whose health falls below the leaving line leaves work; one above it keeps its job but for the usual hazard', () => {
    const w = smallWorld(21);
    const h = w.households;
    const lab = w.config.labour;
    const f = w.firms;
    for (let i = 0; i < f.count; i++) if (f.alive[i]) f.jobs[i] = Math.max(f.jobs[i]!, f.filled[i]!);
    const workers = housedSlots(w).filter((s) => h.employer[s]! >= 0 && h.age[s]! < lab.retirementAge - 1);
    expect(workers.length).toBeGreaterThan(1000);
    // Half just below the leaving line, half just above it (below the sickness line: in work, a
    // condition between the two lines does not end the job by itself).
    const below = workers.filter((_, i) => i % 2 === 0);
    const above = workers.filter((_, i) => i % 2 === 1);
    for (const s of below) h.health[s] = lab.sickLeaveThreshold - 0.01;
    for (const s of above) h.health[s] = lab.sickLeaveThreshold + 0.01;
    labour.step(w);
    for (const s of below) {
      expect(h.employer[s]).toBe(-1);
      expect(h.sick[s]).toBe(1);
      // It draws the benefit with the sickness element, before transfers and housing allowance.
      const expected = w.config.economy.benefit + w.config.economy.childBenefit * h.kids[s]! + w.config.economy.sicknessElement;
      expect(h.income[s]).toBeCloseTo(expected + h.transfer[s]! + h.areaBenefit[s]! + h.allowance[s]!, 0);
    }
    const left = above.filter((s) => h.employer[s]! < 0).length / above.length;
    // The usual hazard at this health is about 2 × 0.01 × (1 − skill) + 0.02 × 0.57 ≈ 2–3%.
    expect(left).toBeLessThan(0.06);
  });

  it('the sick do not search; they search again only once their health is back above the higher recovery line', () => {
    const w = smallWorld(22);
    const h = w.households;
    const lab = w.config.labour;
    const f = w.firms;
    // Every firm with room for anyone: a searcher in health finds a job within a quarter or two.
    for (let i = 0; i < f.count; i++) {
      if (!f.alive[i]) continue;
      f.jobs[i] = f.filled[i]! + 1000;
      f.skillReq[i] = 0;
    }
    const out = housedSlots(w).filter((s) => h.employer[s]! < 0 && h.age[s]! < lab.retirementAge - 1);
    expect(out.length).toBeGreaterThan(100);
    for (const s of out) h.health[s] = lab.sickThreshold - 0.01;
    for (let q = 0; q < 2; q++) {
      labour.step(w);
      w.city.tick++;
    }
    const sickIncome = (s: number) => w.config.economy.benefit + w.config.economy.childBenefit * h.kids[s]! + w.config.economy.sicknessElement + h.transfer[s]! + h.areaBenefit[s]! + h.allowance[s]!;
    for (const s of out) {
      expect(h.employer[s]).toBe(-1);
      expect(h.sick[s]).toBe(1);
      expect(h.income[s]).toBeCloseTo(sickIncome(s), 0);
    }
    // Back above the onset line but below the recovery line: still sick, still not searching.
    expect(lab.sickRecoveryThreshold).toBeGreaterThan(lab.sickThreshold + 0.02);
    for (const s of out) h.health[s] = lab.sickThreshold + 0.01;
    for (let q = 0; q < 2; q++) {
      labour.step(w);
      w.city.tick++;
    }
    for (const s of out) {
      expect(h.employer[s]).toBe(-1);
      expect(h.sick[s]).toBe(1);
    }
    // Recovered: above the recovery line they search, and with so many vacancies most are hired.
    for (const s of out) h.health[s] = lab.sickRecoveryThreshold + 0.01;
    for (let q = 0; q < 2; q++) {
      labour.step(w);
      w.city.tick++;
    }
    for (const s of out) expect(h.sick[s]).toBe(0);
    const hired = out.filter((s) => h.employer[s]! >= 0).length / out.length;
    expect(hired).toBeGreaterThan(0.5);
  });

  it('an unemployed head in health between the two lines is not made sick; retirement ends a spell', () => {
    const w = smallWorld(24);
    const h = w.households;
    const lab = w.config.labour;
    const out = housedSlots(w).filter((s) => h.employer[s]! < 0 && !h.sick[s] && h.age[s]! < lab.retirementAge - 1);
    expect(out.length).toBeGreaterThan(100);
    const f = w.firms;
    // No vacancies: whoever searches stays unemployed, so only the sickness rule is at work.
    for (let i = 0; i < f.count; i++) if (f.alive[i]) f.jobs[i] = Math.min(f.jobs[i]!, f.filled[i]!);
    for (const s of out) h.health[s] = (lab.sickThreshold + lab.sickRecoveryThreshold) / 2;
    labour.step(w);
    for (const s of out) expect(h.sick[s]).toBe(0);
    const old = out.slice(0, 20);
    for (const s of old) {
      h.health[s] = 0.1;
      h.sick[s] = 1;
      h.age[s] = lab.retirementAge + 0.1;
    }
    labour.step(w);
    for (const s of old) expect(h.sick[s]).toBe(0);
  });

  it('the census counts the sick out of the labour force; the employment domain counts them out of work', () => {
    const w = smallWorld(23);
    const h = w.households;
    const c = w.cells;
    const lab = w.config.labour;
    census(w);
    startEmploymentQuarters(w);
    const unemploymentBefore = w.city.unemploymentRate;
    const employmentBefore = domainScores(w).employment;
    // Make half of the unemployed of one cell sick.
    let cell = -1;
    for (let k = 0; k < c.n; k++) if (c.unemployed[k]! >= 2 && (cell < 0 || c.unemployed[k]! > c.unemployed[cell]!)) cell = k;
    expect(cell).toBeGreaterThanOrEqual(0);
    const unemployed = housedSlots(w).filter((s) => h.cell[s] === cell && h.employer[s]! < 0 && h.age[s]! < lab.retirementAge && !h.sick[s]);
    const made = unemployed.slice(0, Math.floor(unemployed.length / 2));
    const lf = c.labourForce[cell]!, un = c.unemployed[cell]!, sickBefore = c.sick[cell]!;
    for (const s of made) h.sick[s] = 1;
    census(w);
    expect(c.sick[cell]).toBe(sickBefore + made.length);
    expect(c.labourForce[cell]).toBe(lf - made.length);
    expect(c.unemployed[cell]).toBe(un - made.length);
    // The ILO rate falls (the sick left the labour force without finding work) ...
    expect(w.city.unemploymentRate).toBeLessThan(unemploymentBefore);
    // ... while the employment domain, out of work over working age, does not move.
    for (let q = 0; q < 4; q++) {
      w.city.tick++;
      recordEmploymentQuarter(w);
    }
    expect(domainScores(w).employment[cell]).toBeCloseTo(employmentBefore[cell]!, 12);
  });
});
