/**
 * Housing market: excess demand and amenities move market rents, social rents stay fixed, and a
 * demolition order clears residents and rebuilds after the construction delay. Twin worlds of the
 * same seed differ only by the intervention.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { step } from '../../../sim/step.ts';
import { housing, setAllowance } from '../../../sim/subsystems/housing.ts';
import type { World } from '../../../sim/world.ts';
import { DEMOLITION, OUTSIDE, PRIVATE, SOCIAL, occupy, vacate } from '../../../sim/world.ts';
import { housedSlots, smallWorld } from '../helpers.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const marketUnits = (w: World, k: number): number => w.cells.units[k]! - w.cells.social[k]!;
const vacant = (w: World, k: number): number => marketUnits(w, k) - w.cells.occMarket[k]!;

/** A cell with at least `min` vacant market units whose rent is not at a bound. */
function cellWithVacancies(w: World, min: number): number {
  const hs = w.config.housing;
  let best = -1;
  for (let k = 0; k < w.cells.n; k++) {
    const r = w.cells.rent[k]!;
    if (vacant(w, k) < min || r <= 0.35 * hs.baseRent || r >= 3.5 * hs.baseRent) continue;
    if (best < 0 || vacant(w, k) > vacant(w, best)) best = k;
  }
  return best;
}

describe('housing: market rents', () => {
  it('raises the rent of a cell whose vacancies are filled, relative to the control', () => {
    const treated = smallWorld(7);
    const control = smallWorld(7);
    const k = cellWithVacancies(treated, 2);
    expect(k).toBeGreaterThanOrEqual(0);
    // Fill every vacant market unit of k with private renters from other cells.
    const h = treated.households;
    for (const s of housedSlots(treated)) {
      if (vacant(treated, k) === 0) break;
      if (h.cell[s] === k || h.tenure[s] !== PRIVATE) continue;
      vacate(treated, s);
      occupy(treated, s, k, PRIVATE);
    }
    expect(vacant(treated, k)).toBe(0);
    housing.step(treated);
    housing.step(control);
    expect(treated.cells.rent[k]!).toBeGreaterThan(control.cells.rent[k]!);
  });

  it('capitalises a better environment into the rent, a gap that widens over quarters', () => {
    const treated = smallWorld(8);
    const control = smallWorld(8);
    // A cell with average rent and some room to improve.
    const base = treated.config.housing.baseRent;
    let k = -1;
    for (let j = 0; j < treated.cells.n; j++) {
      if (treated.cells.environment[j]! > 0.7 || marketUnits(treated, j) < 5) continue;
      if (k < 0 || Math.abs(treated.cells.rent[j]! - base) < Math.abs(treated.cells.rent[k]! - base)) k = j;
    }
    expect(k).toBeGreaterThanOrEqual(0);
    treated.cells.environment[k] = 1;
    const gaps: number[] = [];
    for (let q = 0; q < 8; q++) {
      housing.step(treated);
      housing.step(control);
      treated.city.tick++;
      control.city.tick++;
      gaps.push(Math.log(treated.cells.rent[k]! / control.cells.rent[k]!));
    }
    expect(gaps[0]!).toBeGreaterThan(0);
    // The rent closes part of the gap to its amenity-capitalised level each quarter.
    for (let q = 1; q < gaps.length; q++) expect(gaps[q]!).toBeGreaterThan(gaps[q - 1]!);
    // Other cells' rents do not react within the housing step alone.
    for (let j = 0; j < treated.cells.n; j++) if (j !== k) expect(treated.cells.rent[j]).toBe(control.cells.rent[j]);
  });

  it('keeps the social rent fixed while market rents move', () => {
    const w = smallWorld(9);
    const socialRent = w.city.socialRent;
    expect(socialRent).toBeCloseTo(w.config.housing.socialRentShare * w.config.housing.baseRent, 6);
    const rents0 = w.cells.rent.slice();
    for (let q = 0; q < 8; q++) {
      step(w);
      expect(w.city.socialRent).toBe(socialRent);
    }
    let changed = 0;
    for (let k = 0; k < w.cells.n; k++) if (w.cells.rent[k] !== rents0[k]) changed++;
    expect(changed).toBeGreaterThan(w.cells.n / 2);
    // A poor social tenant's housing allowance is the social rent, wherever the market went.
    // (Those housed in the last quarter's mobility step get theirs at the next housing step.)
    const h = w.households;
    let checked = 0;
    for (const s of housedSlots(w)) {
      if (h.tenure[s] !== SOCIAL || h.movedTick[s]! >= w.city.tick - 1) continue;
      // The means test is on income before housing costs and allowance.
      if (h.income[s]! - h.allowance[s]! < w.city.meansTestLine) {
        expect(h.allowance[s]).toBeCloseTo(socialRent, 2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('housing: redevelopment', () => {
  it('forces the residents of demolished units out and completes the rebuild after the construction delay', () => {
    const w = smallWorld(10);
    const c = w.cells;
    const h = w.households;
    // The most populous cell with both market and social residents.
    let k = -1;
    for (let j = 0; j < c.n; j++) {
      if (c.occSocial[j]! < 3 || c.occMarket[j]! < 3) continue;
      if (k < 0 || c.households[j]! > c.households[k]!) k = j;
    }
    expect(k).toBeGreaterThanOrEqual(0);
    const residents = new Set(housedSlots(w).filter((s) => h.cell[s] === k).map((s) => h.id[s]!));
    const units0 = c.units[k]!;
    const rebuild = 40;
    c.demolish[k] = units0;
    c.rebuildUnits[k] = rebuild;
    c.rebuildSocial[k] = 10;
    c.rebuildQuality[k] = 0.9;

    // Capture the seekers the housing step queues, before mobility houses them.
    const original = housing.step.bind(housing);
    const queued: { id: number; reason: number; from: number }[] = [];
    vi.spyOn(housing, 'step').mockImplementation((world: World) => {
      original(world);
      const q = world.seekers;
      for (let i = 0; i < q.count; i++) queued.push({ id: world.households.id[q.list[i]!]!, reason: q.reason[i]!, from: q.from[i]! });
    });
    const tick0 = w.city.tick;
    step(w);
    vi.restoreAllMocks();

    const demolished = queued.filter((e) => e.reason === DEMOLITION);
    // Everyone living there when the order took effect was queued (some may have died or left
    // before the housing step, in the demography step of the same tick).
    expect(demolished.length).toBeGreaterThan(0.9 * residents.size);
    for (const e of demolished) {
      expect(residents.has(e.id)).toBe(true);
      expect(e.from).toBe(k);
    }
    expect(c.units[k]).toBe(0);
    expect(c.social[k]).toBe(0);
    expect(c.occMarket[k]! + c.occSocial[k]!).toBe(0);
    expect(c.demolish[k]).toBe(0);
    expect(c.building[k]).toBe(rebuild);
    expect(c.buildingDone[k]).toBe(tick0 + w.config.housing.constructionQuarters);
    // Each of them was rehoused elsewhere or left, and the move log says so, with reason DEMOLITION.
    const logged = new Map<number, number>();
    for (let i = 0; i < w.moves.length; i++) if (w.moves.tick[i] === tick0 && w.moves.reason[i] === DEMOLITION) logged.set(w.moves.hid[i]!, w.moves.to[i]!);
    for (const e of demolished) {
      expect(logged.has(e.id)).toBe(true);
      expect(logged.get(e.id)).not.toBe(k);
      if (logged.get(e.id) !== OUTSIDE) expect(logged.get(e.id)).toBeGreaterThanOrEqual(0);
    }
    expect(c.forcedOut[k]).toBe(demolished.length);

    // Nothing is completed before the delay; the rebuild lands at the tick it is due.
    const homesBuilt0 = c.homesBuilt[k]!;
    while (w.city.tick < tick0 + w.config.housing.constructionQuarters) {
      step(w);
      expect(c.units[k]).toBe(0);
      expect(c.homesBuilt[k]).toBe(homesBuilt0);
    }
    step(w);
    expect(c.units[k]).toBe(rebuild);
    expect(c.social[k]).toBe(10);
    expect(c.homesBuilt[k]).toBe(homesBuilt0 + rebuild);
    expect(c.building[k]).toBe(0);
    // The new homes carry the rebuild's quality (less one quarter of filtering).
    expect(c.quality[k]!).toBeGreaterThan(0.85);
    // And people move in.
    for (let q = 0; q < 4; q++) step(w);
    expect(c.occMarket[k]! + c.occSocial[k]!).toBeGreaterThan(0);
  });

  it('redevelops a neighbourhood in phases: each phase joins the rebuild, which completes whole after the last', () => {
    const w = smallWorld(12);
    const c = w.cells;
    let k = -1;
    for (let j = 0; j < c.n; j++) if (k < 0 || c.units[j]! > c.units[k]!) k = j;
    const units0 = c.units[k]!;
    const first = Math.floor(units0 / 2);
    const order = (n: number) => {
      c.demolish[k] = n;
      c.rebuildUnits[k] = n;
      c.rebuildSocial[k] = 0;
      c.rebuildQuality[k] = 0.9;
    };
    const delay = w.config.housing.constructionQuarters;
    const homesBuilt0 = c.homesBuilt[k]!;
    order(first);
    step(w);
    expect(c.units[k]).toBe(units0 - first);
    expect(c.building[k]).toBe(first);
    // The second phase, a quarter later, clears the rest: both phases build together.
    order(units0 - first);
    const tick1 = w.city.tick;
    step(w);
    expect(c.units[k]).toBe(0);
    expect(c.building[k]).toBe(units0);
    expect(c.buildingDone[k]).toBe(tick1 + delay);
    while (w.city.tick < tick1 + delay) {
      step(w);
      expect(c.homesBuilt[k]).toBe(homesBuilt0);
    }
    step(w);
    expect(c.units[k]).toBe(units0);
    expect(c.homesBuilt[k]).toBe(homesBuilt0 + units0);
    // All its homes are new (less a quarter of filtering).
    expect(c.quality[k]!).toBeGreaterThan(0.85);
  });

  it('clears only the demolished share of a cell, keeping occupancy within the remaining stock', () => {
    const w = smallWorld(11);
    const c = w.cells;
    let k = -1;
    for (let j = 0; j < c.n; j++) if (k < 0 || c.households[j]! > c.households[k]!) k = j;
    const units0 = c.units[k]!;
    const people0 = c.occMarket[k]! + c.occSocial[k]!;
    c.demolish[k] = Math.round(units0 / 2);
    step(w);
    expect(c.units[k]).toBe(units0 - Math.round(units0 / 2));
    expect(c.occMarket[k]!).toBeLessThanOrEqual(c.units[k]! - c.social[k]!);
    expect(c.occSocial[k]!).toBeLessThanOrEqual(c.social[k]!);
    // About half the residents had to go (the keyed lottery, then the overflow).
    let forced = 0;
    for (let i = 0; i < w.moves.length; i++) if (w.moves.reason[i] === DEMOLITION && w.moves.from[i] === k) forced++;
    expect(forced).toBeGreaterThan(0.3 * people0);
    expect(forced).toBeLessThan(0.7 * people0);
  });
});

describe("housing: the allowance's means test", () => {
  /** The full allowance of household s where it lives: the social rent, or the private rent up to the cap. */
  const fullAllowance = (w: World, s: number): number =>
    w.households.tenure[s] === SOCIAL ? w.city.socialRent : w.households.tenure[s] === PRIVATE ? Math.min(w.cells.rent[w.households.cell[s]!]!, w.city.allowanceCap) : 0;

  /** A social tenant's income after allowance when its income before allowance is `before`. */
  function incomeAt(w: World, s: number, before: number): number {
    const h = w.households;
    h.income[s] = before + h.allowance[s]!;
    setAllowance(w, s);
    return h.income[s]!;
  }

  it('without a taper, a pound over the line costs the whole allowance (a cliff)', () => {
    const w = smallWorld(11);
    const s = housedSlots(w).find((x) => w.households.tenure[x] === SOCIAL && w.households.transfer[x] === 0)!;
    const line = w.city.meansTestLine;
    const under = incomeAt(w, s, line - 100);
    const over = incomeAt(w, s, line + 100);
    expect(under).toBeCloseTo(line - 100 + w.city.socialRent, 1);
    expect(over).toBeCloseTo(line + 100, 1);
    // £200 more income before allowance, and the whole social rent gone: £100 of room for single precision.
    expect(under - over).toBeGreaterThan(w.city.socialRent - 300);
  });

  it('with a taper, the allowance is withdrawn by that much per pound over the line, and income after it never falls as income before it rises', () => {
    const w = smallWorld(11, { economy: { allowanceTaper: 0.65 } });
    const s = housedSlots(w).find((x) => w.households.tenure[x] === SOCIAL && w.households.transfer[x] === 0)!;
    const line = w.city.meansTestLine;
    const full = w.city.socialRent;
    let last = -Infinity;
    for (let before = line - 2000; before <= line + full / 0.65 + 2000; before += 250) {
      const after = incomeAt(w, s, before);
      const expected = before + (before < line ? full : Math.max(0, full - 0.65 * (before - line)));
      expect(after).toBeCloseTo(expected, 1); // incomes are stored in single precision
      expect(after).toBeGreaterThanOrEqual(last);
      last = after;
    }
    // The quarterly pass gives every household the same: all of it under the line, the tapered rest over it.
    for (let q = 0; q < 4; q++) step(w);
    const h = w.households;
    let partial = 0;
    for (const x of housedSlots(w)) {
      if (h.movedTick[x]! >= w.city.tick - 1) continue; // housed this quarter: its allowance comes with the next housing step
      const over = h.income[x]! - h.allowance[x]! - h.transfer[x]! - w.city.meansTestLine;
      const expected = over < 0 ? fullAllowance(w, x) : Math.max(0, fullAllowance(w, x) - 0.65 * over);
      expect(h.allowance[x]).toBeCloseTo(expected, 1);
      if (over > 0 && h.allowance[x]! > 0) partial++;
    }
    expect(partial).toBeGreaterThan(0);
  });
});
