/**
 * Demography and migration: the inter-generational channel (grown children's skill follows their
 * attainment), births by the head's age, and arrivals drawn by job vacancies. The demography step
 * is driven directly, so its seekers are inspected before any mobility step houses them.
 */
import { describe, expect, it } from 'vitest';
import { demography } from '../../../sim/subsystems/demography.ts';
import type { World } from '../../../sim/world.ts';
import { ARRIVED, DISSOLVED, FORMED, grownChildMark } from '../../../sim/world.ts';
import { housedSlots, mean, smallConfig, smallWorld } from '../helpers.ts';

/** Seekers of `reason` queued so far, as household slots in queue order. */
function seekers(w: World, reason: number): number[] {
  const q = w.seekers;
  const out: number[] = [];
  for (let i = 0; i < q.count; i++) if (q.reason[i] === reason) out.push(q.list[i]!);
  return out;
}

function runDemography(w: World, quarters: number, each?: () => void): void {
  for (let q = 0; q < quarters; q++) {
    demography.step(w);
    each?.();
    w.city.tick++;
  }
}

describe('demography: original residents\' grown children', () => {
  /**
   * The small city at tick 100 with households in cells 0–19 marked as original residents of a
   * programme that started at `start` (as applyBoundary marks them), every family with one child
   * of 72 quarters, and each parent's health unique, so that a new household (whose health is its
   * parent's + 0.1) names its parent. Returns the new households with their parents after a year.
   */
  function grownChildren(start: number): { w: World; pairs: [number, number][]; originals: Set<number> } {
    const w = smallWorld(21, { demography: { birthRate: 0 } });
    const h = w.households;
    w.city.tick = 100;
    w.region.startTick = start;
    const originals = new Set(housedSlots(w).filter((s) => h.cell[s]! < 20));
    for (const s of originals) {
      h.startCell[s] = h.cell[s]!;
      h.startPoor[s] = (h.id[s]! % 2) as 0 | 1;
    }
    const byHealth = new Map<number, number>();
    housedSlots(w).forEach((s, j) => {
      if (h.kids[s]! === 0) return;
      h.kids[s] = 1;
      h.kidAge[s] = 72;
      h.health[s] = 0.2 + j * 1e-5;
      byHealth.set(j, s);
    });
    runDemography(w, 4);
    const pairs = seekers(w, FORMED).map((s): [number, number] => [s, byHealth.get(Math.round((h.health[s]! - 0.3) / 1e-5))!]);
    return { w, pairs, originals };
  }

  it('are original residents when they were born before the start, with their parents\' marks', () => {
    const { w, pairs, originals } = grownChildren(40); // born at tick 28, before the start
    const h = w.households;
    const ofOriginals = pairs.filter(([, p]) => originals.has(p));
    expect(ofOriginals.length).toBeGreaterThan(5);
    expect(pairs.length - ofOriginals.length).toBeGreaterThan(5);
    for (const [s, p] of pairs) {
      expect(p, 'a new household names its parent').toBeDefined();
      expect(h.startCell[s]).toBe(originals.has(p) ? grownChildMark(h.startCell[p]!) : -1);
      expect(h.startPoor[s]).toBe(originals.has(p) ? h.startPoor[p] : 0);
    }
    expect(ofOriginals.some(([s]) => h.startPoor[s] === 1) && ofOriginals.some(([s]) => h.startPoor[s] === 0)).toBe(true);
    // Arrivals are never original residents.
    for (const s of seekers(w, ARRIVED)) expect(h.startCell[s]).toBe(-1);
  });

  it('are not original residents when they were born after the start', () => {
    const { w, pairs, originals } = grownChildren(20); // born at tick 28, after the start
    expect(pairs.filter(([, p]) => originals.has(p)).length).toBeGreaterThan(5);
    for (const [s] of pairs) expect(w.households.startCell[s]).toBe(-1);
  });
});

describe('demography: grown children', () => {
  it('form households whose skill follows the attainment they reached at home', () => {
    // No births, so that a parent whose children fell in number is exactly a parent whose child left.
    const w = smallWorld(20, { demography: { birthRate: 0 } });
    const h = w.households;
    const parents = housedSlots(w).filter((s) => h.kids[s]! > 0);
    expect(parents.length).toBeGreaterThan(300);
    // Every family has a grown child; attainment spread over [0.05, 0.95] independently of slot order.
    parents.forEach((s, j) => {
      h.kidAge[s] = 72;
      h.attainment[s] = 0.05 + 0.09 * ((j * 7) % 11);
    });
    const pairs: { attainment: number; skill: number }[] = [];
    let seen = 0;
    for (let q = 0; q < 3; q++) {
      const kidsBefore = parents.map((s) => h.kids[s]!);
      const attainmentBefore = parents.map((s) => h.attainment[s]!);
      const idBefore = parents.map((s) => h.id[s]!);
      demography.step(w);
      // Parents are visited in slot order and each new household takes the next id, so sorting
      // both sides pairs every grown child with its parent.
      const leftHome = parents.flatMap((s, j) => (h.alive[s] && h.id[s] === idBefore[j] && h.kids[s]! < kidsBefore[j]! ? [attainmentBefore[j]!] : []));
      const formed = seekers(w, FORMED).slice(seen).sort((x, y) => h.id[x]! - h.id[y]!);
      seen += formed.length;
      expect(formed.length).toBe(leftHome.length);
      formed.forEach((s, j) => pairs.push({ attainment: leftHome[j]!, skill: h.skill[s]! }));
      w.city.tick++;
    }
    expect(pairs.length).toBeGreaterThan(100);
    // Least-squares slope of the child's skill on the attainment it reached. The engine maps
    // attainment to skill with individual noise; a slope above 0.4 (and a clear gap between the
    // top and bottom thirds) shows the channel whatever its calibrated strength near 0.8.
    const mx = mean(pairs.map((p) => p.attainment));
    const my = mean(pairs.map((p) => p.skill));
    let sxy = 0;
    let sxx = 0;
    for (const p of pairs) {
      sxy += (p.attainment - mx) * (p.skill - my);
      sxx += (p.attainment - mx) ** 2;
    }
    expect(sxy / sxx).toBeGreaterThan(0.4);
    const high = pairs.filter((p) => p.attainment > 0.65).map((p) => p.skill);
    const low = pairs.filter((p) => p.attainment < 0.35).map((p) => p.skill);
    expect(mean(high) - mean(low)).toBeGreaterThan(0.2);
  });

  it('gives twins of higher attainment more skilled grown children, one for one', () => {
    const high = smallWorld(21);
    const low = smallWorld(21);
    for (const [w, a] of [[high, 0.9], [low, 0.1]] as const) {
      for (const s of housedSlots(w)) {
        if (w.households.kids[s]! === 0) continue;
        w.households.kidAge[s] = 72;
        w.households.attainment[s] = a;
      }
    }
    runDemography(high, 2);
    runDemography(low, 2);
    const a = seekers(high, FORMED);
    const b = seekers(low, FORMED);
    // The keyed draws make the same children leave home in both twins, into the same slots.
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(50);
    for (let j = 0; j < a.length; j++) expect(high.households.skill[a[j]!]!).toBeGreaterThan(low.households.skill[b[j]!]!);
    expect(mean(a.map((s) => high.households.skill[s]!)) - mean(b.map((s) => low.households.skill[s]!))).toBeGreaterThan(0.3);
  });
});

describe('demography: births and deaths', () => {
  it('brings births only to households whose head is 20 to 42, and dissolves only old households', () => {
    // A high birth rate and no leaving home, so that a rise in children is exactly a birth.
    const w = smallWorld(22, { demography: { birthRate: 0.5, leaveHomeRate: 0 } });
    const h = w.households;
    let births = 0;
    let eligible = 0;
    const ages: number[] = [];
    for (let q = 0; q < 4; q++) {
      const slots = housedSlots(w);
      const ids = slots.map((s) => h.id[s]!);
      const kids = slots.map((s) => h.kids[s]!);
      const ageBefore = new Map(slots.map((s) => [h.id[s]!, h.age[s]!]));
      const births0 = w.city.births;
      const logStart = w.moves.length;
      demography.step(w);
      let counted = 0;
      slots.forEach((s, j) => {
        if (!h.alive[s] || h.id[s] !== ids[j]) return;
        const age = h.age[s]!;
        if (age >= 20 && age < 42 && kids[j]! < 3) eligible++;
        if (h.kids[s]! > kids[j]!) {
          expect(h.kids[s]).toBe(kids[j]! + 1);
          ages.push(age);
          counted++;
        }
        expect(h.kids[s]!).toBeLessThanOrEqual(3);
      });
      births += counted;
      expect(w.city.births - births0).toBe(counted);
      // Dissolutions (deaths) only among the old (ages read before the step: a freed slot may
      // already hold a newcomer).
      for (let i = logStart; i < w.moves.length; i++) {
        if (w.moves.reason[i] === DISSOLVED) expect(ageBefore.get(w.moves.hid[i]!)! + 0.25).toBeGreaterThanOrEqual(60);
      }
      w.city.tick++;
    }
    expect(births).toBeGreaterThan(100);
    for (const a of ages) {
      expect(a).toBeGreaterThanOrEqual(20);
      expect(a).toBeLessThan(42);
    }
    // With a hazard of 0.5, about half of the eligible household-quarters see a birth (±20 points).
    expect(births / eligible).toBeGreaterThan(0.3);
    expect(births / eligible).toBeLessThan(0.7);
  });
});

describe('demography: arrivals', () => {
  it('draws more arrivals when firms have vacancies', () => {
    let many = 0;
    let none = 0;
    for (const seed of [23, 24, 25]) {
      const vacancies = smallWorld(seed);
      const full = smallWorld(seed);
      for (const [w, extra] of [[vacancies, 0.5], [full, 0]] as const) {
        const f = w.firms;
        for (let i = 0; i < f.count; i++) if (f.alive[i]) f.jobs[i] = Math.max(1, f.filled[i]!) + Math.round(extra * f.jobs[i]!);
      }
      demography.step(vacancies);
      demography.step(full);
      many += seekers(vacancies, ARRIVED).length;
      none += seekers(full, ARRIVED).length;
    }
    // Poisson counts of about 15–50 per seed; over three seeds the vacancy-rich twins must draw at
    // least 1.5 times as many (the pull of the vacancy rate is about three times).
    expect(none).toBeGreaterThan(0);
    expect(many).toBeGreaterThan(1.5 * none);
  });

  it('draws arrivals whose skills follow the skills vacant jobs ask', () => {
    // More arrivals than the default so that one quarter gives a sample of a hundred or so.
    const overrides = { demography: { inMigrationRate: 0.02 } };
    const skills = { skilled: [] as number[], unskilled: [] as number[] };
    for (const seed of [26, 27]) {
      for (const [name, req] of [['skilled', 0.85], ['unskilled', 0.15]] as const) {
        const w = smallWorld(seed, overrides);
        const f = w.firms;
        for (let i = 0; i < f.count; i++) if (f.alive[i]) f.skillReq[i] = req;
        demography.step(w);
        for (const s of seekers(w, ARRIVED)) skills[name].push(w.households.skill[s]!);
      }
    }
    expect(skills.skilled.length).toBeGreaterThan(100);
    expect(skills.unskilled.length).toBeGreaterThan(100);
    // The arrivals' mean skill shifts by migrantSkillShift × (0.85 − 0.15). Tolerance: half of
    // that; the standard error of the difference of means here is about 0.02.
    const expected = smallConfig(overrides).demography.migrantSkillShift * 0.7;
    expect(mean(skills.skilled) - mean(skills.unskilled)).toBeGreaterThan(expected / 2);
  });
});
