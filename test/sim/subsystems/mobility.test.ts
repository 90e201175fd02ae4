/**
 * Residential mobility: forced moves under a sustained rent burden, social housing allocated by
 * need, and a complete move log. The mobility step is driven directly on a created world.
 */
import { describe, expect, it } from 'vitest';
import { step } from '../../../sim/step.ts';
import { mobility } from '../../../sim/subsystems/mobility.ts';
import type { World } from '../../../sim/world.ts';
import {
  ARRIVED, FORMED, LEFT, OUTSIDE, PRIVATE, RENT, SOCIAL, VOLUNTARY, addHousehold, addSeeker, removeHousehold,
} from '../../../sim/world.ts';
import { housedSlots, movesAt, smallWorld } from '../helpers.ts';

/** The cell with the most private renters. */
function privateRenterCell(w: World): number {
  const h = w.households;
  const count = new Int32Array(w.cells.n);
  for (const s of housedSlots(w)) if (h.tenure[s] === PRIVATE) count[h.cell[s]!]!++;
  let best = 0;
  for (let k = 1; k < w.cells.n; k++) if (count[k]! > count[best]!) best = k;
  return best;
}

describe('mobility: rent burden', () => {
  it('forces out private renters whose rent stays over the burden threshold for burdenQuarters quarters', () => {
    const treated = smallWorld(12);
    const control = smallWorld(12);
    const k = privateRenterCell(treated);
    const quarters = treated.config.mobility.burdenQuarters;
    const h = treated.households;
    const renters = housedSlots(treated).filter((s) => h.cell[s] === k && h.tenure[s] === PRIVATE);
    expect(renters.length).toBeGreaterThan(3);
    for (const w of [treated, control]) for (const s of renters) w.households.burdenQuarters[s] = 0;
    // A rent no income here can bear (the housing step, which would pull it back, is not run).
    treated.cells.rent[k] = 1e6;

    const rentMovesFrom = (w: World, tick: number) => movesAt(w, tick).filter((e) => e.reason === RENT && e.from === k);
    for (let q = 1; q < quarters; q++) {
      mobility.step(treated);
      mobility.step(control);
      expect(rentMovesFrom(treated, treated.city.tick)).toHaveLength(0);
      treated.city.tick++;
      control.city.tick++;
    }
    const stillThere = renters.filter((s) => treated.households.alive[s] && treated.households.cell[s] === k && treated.households.tenure[s] === PRIVATE);
    expect(stillThere.length).toBeGreaterThan(0);
    for (const s of stillThere) expect(treated.households.burdenQuarters[s]).toBe(quarters - 1);
    const ids = new Set(stillThere.map((s) => treated.households.id[s]!));

    mobility.step(treated);
    mobility.step(control);
    const forced = rentMovesFrom(treated, treated.city.tick);
    // Every private renter still there is forced out of its private home: to another cell, out of
    // the city, or into a social home let by need (which may be in the same cell: a sick renter
    // goes first for social lettings, and a vacancy may open next door).
    expect(new Set(forced.map((e) => e.hid))).toEqual(ids);
    const th = treated.households;
    for (const s of stillThere) {
      const here = th.alive[s] ? th.cell[s] : OUTSIDE;
      if (here === k) expect(th.tenure[s]).toBe(SOCIAL);
    }
    for (const e of forced) if (e.to === k) expect(stillThere.some((s) => th.id[s] === e.hid && th.tenure[s] === SOCIAL)).toBe(true);
    // Without the rent rise, at most those already overburdened are forced out.
    expect(rentMovesFrom(control, control.city.tick).length).toBeLessThan(forced.length);
    // Social tenants and owners of the same cell are not forced by a market rent.
    for (const s of housedSlots(treated)) if (treated.households.cell[s] === k) expect(treated.households.tenure[s]).not.toBe(PRIVATE);
  });
});

describe('mobility: social housing by need', () => {
  /**
   * Two needy seekers, one social vacancy: returns which of them got it. `richerSick` makes the
   * richer one sick (out of work through ill health, households.sick).
   */
  function allocate(seed: number, poorerFirst: boolean, richerSick = false): { poorer: number; richer: number; w: World } {
    const w = smallWorld(seed);
    const h = w.households;
    // Free exactly one social unit (the initial stock is fully let).
    let vacancies = 0;
    for (let k = 0; k < w.cells.n; k++) vacancies += w.cells.social[k]! - w.cells.occSocial[k]!;
    expect(vacancies).toBe(0);
    const tenant = housedSlots(w).find((s) => h.tenure[s] === SOCIAL)!;
    removeHousehold(w, tenant);
    // Nobody else in the city is sick: a sick mover would go before both (the medical priority).
    for (const s of housedSlots(w)) h.sick[s] = 0;

    // Incomes far below anyone's in the city (benefits and pensions floor them), so that the two
    // are the neediest of everybody moving this quarter.
    const make = (income: number, sick = false): number => {
      const s = addHousehold(h);
      h.age[s] = 30;
      h.skill[s] = 0.3;
      h.health[s] = sick ? 0.3 : 0.7;
      h.sick[s] = sick ? 1 : 0;
      h.employer[s] = -1;
      h.income[s] = income;
      h.tenure[s] = PRIVATE;
      addSeeker(w, s, FORMED, h.cell[housedSlots(w)[0]!]!);
      return s;
    };
    let poorer: number;
    let richer: number;
    if (poorerFirst) {
      poorer = make(1500);
      richer = make(2500, richerSick);
    } else {
      richer = make(2500, richerSick);
      poorer = make(1500);
    }
    mobility.step(w);
    return { poorer, richer, w };
  }

  it.each([13, 14, 16].flatMap((seed) => [{ seed, poorerFirst: true }, { seed, poorerFirst: false }]))('gives the one social vacancy to the poorer of two needy seekers (seed $seed, poorer queued first: $poorerFirst)', ({ seed, poorerFirst }) => {
    const { poorer, richer, w } = allocate(seed, poorerFirst);
    const h = w.households;
    expect(h.alive[poorer]).toBe(1);
    expect(h.tenure[poorer]).toBe(SOCIAL);
    expect(h.cell[poorer]).toBeGreaterThanOrEqual(0);
    // The richer one was not given social housing: it rents on the market or never forms.
    if (h.alive[richer]) expect(h.tenure[richer]).not.toBe(SOCIAL);
    const log = movesAt(w, w.city.tick);
    const entry = log.find((e) => e.hid === h.id[poorer]);
    expect(entry).toMatchObject({ reason: FORMED, to: h.cell[poorer] });
  });

  it.each([13, 14, 16].flatMap((seed) => [{ seed, poorerFirst: true }, { seed, poorerFirst: false }]))('gives the one social vacancy to a sick seeker before a poorer one in health (seed $seed, poorer queued first: $poorerFirst)', ({ seed, poorerFirst }) => {
    const { poorer, richer, w } = allocate(seed, poorerFirst, true);
    const h = w.households;
    expect(h.alive[richer]).toBe(1);
    expect(h.tenure[richer]).toBe(SOCIAL);
    if (h.alive[poorer]) expect(h.tenure[poorer]).not.toBe(SOCIAL);
  });
});

describe('mobility: the move log', () => {
  it('logs every move once, with its origin, destination, reason and poverty status', () => {
    const w = smallWorld(15);
    const h = w.households;
    // Queue an arrival too, so that every kind of seeker is in the step.
    const arrival = addHousehold(h);
    h.age[arrival] = 35;
    h.skill[arrival] = 0.7;
    h.health[arrival] = 0.8;
    h.income[arrival] = 45000;
    addSeeker(w, arrival, ARRIVED, OUTSIDE);

    const before = new Map<number, { slot: number; cell: number; poor: number }>();
    for (let s = 0; s < h.count; s++) if (h.alive[s]) before.set(h.id[s]!, { slot: s, cell: h.cell[s]!, poor: h.poor[s]! });
    const logStart = w.moves.length;
    mobility.step(w);
    const log = movesAt(w, w.city.tick, logStart);
    expect(log.length).toBeGreaterThan(10);
    const byId = new Map(log.map((e) => [e.hid, e]));
    expect(byId.size).toBe(log.length);

    for (const [id, was] of before) {
      const alive = h.alive[was.slot] === 1 && h.id[was.slot] === id;
      const now = alive ? h.cell[was.slot]! : OUTSIDE;
      const e = byId.get(id);
      if (!e) {
        // Not logged: stayed where it was, or an arrival who found nothing and never came.
        if (id === h.id[arrival] && !alive) continue;
        expect(now).toBe(was.cell);
        continue;
      }
      expect(e.from).toBe(id === h.id[arrival] ? OUTSIDE : was.cell);
      expect(e.to).toBe(now);
      expect(e.poor).toBe(was.poor);
      if (e.to === OUTSIDE) expect([LEFT, RENT]).toContain(e.reason);
      else expect([VOLUNTARY, RENT, ARRIVED]).toContain(e.reason);
    }
    // The step moved people within the city.
    expect(log.some((e) => e.to >= 0 && e.reason === VOLUNTARY)).toBe(true);
    expect(w.seekers.count).toBe(0);
  });
});

describe('mobility: the allowance a mover counts on', () => {
  // With `economy.allowanceTaper` a renter over the means-test line keeps part of its allowance, and
  // a mover choosing a home counts on the part it will get there: it takes homes it can afford only
  // with it, and none it cannot afford with it.
  it('a mover over the line with a taper affords what it chose with the allowance it then gets', () => {
    const w = smallWorld(12, { economy: { allowanceTaper: 0.65 } });
    const h = w.households;
    const limit = w.config.mobility.affordability;
    let tapered = 0, neededIt = 0;
    for (let q = 0; q < 12; q++) {
      step(w);
      const tick = w.city.tick - 1;
      // Households that chose a market home this quarter, moving within the city (the move log).
      const chose = new Set<number>();
      const log = w.moves;
      for (let i = 0; i < log.length; i++) {
        if (log.tick[i] === tick && log.from[i]! >= 0 && log.to[i]! >= 0 && (log.reason[i] === VOLUNTARY || log.reason[i] === RENT)) chose.add(log.hid[i]!);
      }
      for (const s of housedSlots(w)) {
        if (!chose.has(h.id[s]!) || h.movedTick[s] !== tick || h.tenure[s] !== PRIVATE) continue;
        const before = h.income[s]! - h.allowance[s]!;
        const over = before - h.transfer[s]! - w.city.meansTestLine;
        if (over <= 0 || h.allowance[s]! <= 0) continue;
        tapered++;
        const inc = Math.max(1000, before);
        const rent = w.cells.rent[h.cell[s]!]!;
        // Rents move in the housing step, before mobility: the mover saw this quarter's rent.
        expect(rent - h.allowance[s]!).toBeLessThanOrEqual(limit * inc + 1);
        if (rent > limit * inc) neededIt++;
      }
    }
    expect(tapered).toBeGreaterThan(0);
    expect(neededIt).toBeGreaterThan(0);
  });
});
