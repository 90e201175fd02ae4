/**
 * The two purely physical policies: tabula rasa (clearance and redevelopment) and
 * micro-regeneration (public realm and refurbishment in a small old neighbourhood). Each runs on a
 * small city (16 × 16 cells, 8,000 households) for the whole of a four-year programme at £2m a
 * year, paired with the counterfactual `none` on the same seed: the policy stage is first in the
 * tick, so both runs draw their target from the same starting world.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../sim/config/schema.ts';
import { CLEARANCE_COSTS, COSTS, clearAndRebuild, clearanceCostPerUnit } from '../../../sim/policies/levers.ts';
import { MICRO_QUOTA_SHARE } from '../../../sim/policies/microRegeneration.ts';
import { REBUILD_QUALITY, REBUILD_SOCIAL_SHARE, tabulaRasaTargets } from '../../../sim/policies/tabulaRasa.ts';
import { createSimulation } from '../../../sim/simulation.ts';
import type { World } from '../../../sim/world.ts';
import { DEMOLITION, REGION_CODES } from '../../../sim/world.ts';
import { smallWorld } from '../helpers.ts';

const YEARS = 4;
const BUDGET = 2_000_000;
const SEEDS = [1, 2, 3];

function config(kind: string) {
  return scenarioSchema.parse({
    city: { width: 16, height: 16 },
    households: { count: 8000 },
    policy: { kind, startYear: 0, durationYears: YEARS, budgetPerYear: BUDGET },
  });
}

interface Run {
  world: World;
  /** Target cells (region code 1) as drawn at the start tick. */
  target: Uint8Array;
  /** What the ledger had spent after each quarter. */
  spentByQuarter: number[];
  /** Homes built in the target after each quarter. */
  builtByQuarter: number[];
  /** Social units and households in the target just before the programme's first housing step. */
  socialAtStart: number;
  householdsAtStart: number;
}

function run(kind: string, seed: number): Run {
  const sim = createSimulation(config(kind), { seed });
  const w = sim.world;
  const socialBefore = Int32Array.from(w.cells.social);
  const householdsBefore = Int32Array.from(w.cells.households);
  const spentByQuarter: number[] = [];
  const builtByQuarter: number[] = [];
  let target = new Uint8Array(0);
  for (let t = 0; t < YEARS * 4; t++) {
    sim.step(1);
    if (t === 0) target = Uint8Array.from(w.region.code, (c) => (c === REGION_CODES.target ? 1 : 0));
    spentByQuarter.push(w.ledger.total);
    builtByQuarter.push(sumOver(target, w.cells.homesBuilt));
  }
  return {
    world: w,
    target,
    spentByQuarter,
    builtByQuarter,
    socialAtStart: sumOver(target, socialBefore),
    householdsAtStart: sumOver(target, householdsBefore),
  };
}

function sumOver(mask: Uint8Array, a: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < mask.length; k++) if (mask[k]) s += a[k]!;
  return s;
}

function meanOver(mask: Uint8Array, a: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < mask.length; k++) n += mask[k]!;
  return sumOver(mask, a) / n;
}

/** Move-log entries with this reason, and those of them leaving a cell of `mask`. */
function movesByReason(w: World, reason: number, mask: Uint8Array): { all: number; fromMask: number } {
  const m = w.moves;
  let all = 0, fromMask = 0;
  for (let i = 0; i < m.length; i++) {
    if (m.reason[i] !== reason) continue;
    all++;
    if (m.from[i]! >= 0 && mask[m.from[i]!]) fromMask++;
  }
  return { all, fromMask };
}

const runs = new Map<string, Run>();
const get = (kind: string, seed: number): Run => runs.get(`${kind}:${seed}`)!;

beforeAll(() => {
  for (const seed of SEEDS) for (const kind of ['tabula-rasa', 'micro-regeneration', 'none']) runs.set(`${kind}:${seed}`, run(kind, seed));
});

describe.each(['tabula-rasa', 'micro-regeneration'])('%s: spending', (kind) => {
  it('spends about the budget every quarter, all of it on physical works', () => {
    for (const seed of SEEDS) {
      const r = get(kind, seed);
      const l = r.world.ledger;
      expect(l.total).toBeGreaterThan(0.9 * BUDGET * YEARS);
      expect(l.total).toBeLessThanOrEqual(BUDGET * YEARS * (1 + 1e-9));
      expect(l.physical).toBeCloseTo(l.total, 0);
      expect(l.people).toBe(0);
      for (let q = 0; q < r.spentByQuarter.length; q++) {
        const spent = r.spentByQuarter[q]! - (q > 0 ? r.spentByQuarter[q - 1]! : 0);
        expect(spent).toBeGreaterThan(0.9 * (BUDGET / 4));
        expect(spent).toBeLessThanOrEqual((BUDGET / 4) * (1 + 1e-9));
      }
    }
  });
});

describe('tabula rasa', () => {
  it('draws the same target as its paired counterfactual', () => {
    for (const seed of SEEDS) expect(get('tabula-rasa', seed).target).toEqual(get('none', seed).target);
  });

  it('forces residents of the target out by demolition, and nobody elsewhere', () => {
    for (const seed of SEEDS) {
      const tr = get('tabula-rasa', seed);
      const demolished = movesByReason(tr.world, DEMOLITION, tr.target);
      expect(demolished.fromMask).toBeGreaterThan(0);
      expect(demolished.all).toBe(demolished.fromMask);
      expect(movesByReason(get('none', seed).world, DEMOLITION, tr.target).all).toBe(0);
    }
  });

  it('completes a rebuild only after the construction delay, in few neighbourhoods at a time', () => {
    const delay = config('tabula-rasa').housing.constructionQuarters;
    for (const seed of SEEDS) {
      const tr = get('tabula-rasa', seed);
      const built = tr.builtByQuarter;
      // Orders from the first quarter (tick 0) complete `delay` quarters after the last phase of
      // their neighbourhood: never before the step of tick `delay`.
      for (let t = 0; t < delay; t++) expect(built[t]).toBe(0);
      expect(get('none', seed).builtByQuarter[YEARS * 4 - 1]).toBe(0);
      // At this budget (a few homes a quarter) a neighbourhood takes longer to clear than the run:
      // its homes are still being built, in few cells (test/sim/subsystems/housing.test.ts follows
      // one neighbourhood's phases to completion).
      const c = tr.world.cells;
      let sites = 0, building = 0;
      for (let k = 0; k < c.n; k++) {
        if (c.building[k]! > 0) sites++;
        building += c.building[k]!;
      }
      expect(building).toBeGreaterThan(0);
      expect(sites).toBeLessThanOrEqual(3);
    }
  });

  it('cuts the social stock of the target', () => {
    for (const seed of SEEDS) {
      const tr = get('tabula-rasa', seed);
      const none = get('none', seed);
      const socialNow = sumOver(tr.target, tr.world.cells.social);
      expect(tr.socialAtStart).toBe(none.socialAtStart);
      expect(socialNow).toBeLessThan(tr.socialAtStart);
      expect(socialNow).toBeLessThan(sumOver(none.target, none.world.cells.social));
    }
  });

  it("raises the target's rents against the paired counterfactual", () => {
    // Mean market rent over target cells at year 4, as a ratio to the paired none run. The three
    // seeds gave +18%, +14% and +2%; the test asks for +5% on average over the seeds.
    const ratios = SEEDS.map((seed) => {
      const tr = get('tabula-rasa', seed);
      const none = get('none', seed);
      return meanOver(tr.target, tr.world.cells.rent) / meanOver(none.target, none.world.cells.rent);
    });
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeGreaterThan(1.05);
  });

  it('sets trickle-down output targets from its whole budget', () => {
    const w = get('tabula-rasa', 1).world;
    const expected = tabulaRasaTargets(w.config);
    expect(w.ledger.targets).toEqual(expected);
    expect(expected.homesBuilt).toBeCloseTo((0.7 * BUDGET * YEARS) / clearanceCostPerUnit(), 6);
    expect(expected.jobsCreated).toBeGreaterThan(0);
    expect(w.ledger.floorspace).toBeGreaterThan(0);
    expect(w.ledger.privateInvestment).toBeGreaterThan(0);
  });
});

describe('micro-regeneration', () => {
  it('acts on a small target: about 2% of households, a quarter of the area-based quota', () => {
    for (const seed of SEEDS) {
      const micro = get('micro-regeneration', seed);
      const none = get('none', seed);
      const city = config('none').households.count;
      // Whole statistical units (4 cells, ~125 households here) overshoot the quota by up to one unit.
      expect(micro.householdsAtStart).toBeGreaterThanOrEqual(MICRO_QUOTA_SHARE * city);
      expect(micro.householdsAtStart).toBeLessThan(0.05 * city);
      expect(micro.householdsAtStart).toBeLessThan(none.householdsAtStart);
    }
  });

  it('raises the environment of its target against the same cells in the paired counterfactual', () => {
    for (const seed of SEEDS) {
      const micro = get('micro-regeneration', seed);
      const none = get('none', seed);
      const treated = meanOver(micro.target, micro.world.cells.environment);
      const control = meanOver(micro.target, none.world.cells.environment);
      expect(treated).toBeGreaterThan(control + 0.2);
      expect(micro.world.ledger.homesRefurbished).toBeGreaterThan(0);
    }
  });

  it('demolishes nothing and so forces nobody out by clearance', () => {
    for (const seed of SEEDS) {
      const micro = get('micro-regeneration', seed);
      expect(movesByReason(micro.world, DEMOLITION, micro.target).all).toBe(0);
      expect(sumOver(micro.target, micro.world.cells.homesBuilt)).toBe(0);
    }
  });
});

describe('lever: clearAndRebuild', () => {
  it('orders whole homes in the worst cells first, at the clearance cost, with the rebuild', () => {
    const w = smallWorld(3);
    const c = w.cells;
    const mask = new Uint8Array(c.n).fill(1);
    const byQuality = Array.from({ length: c.n }, (_, k) => k)
      .filter((k) => c.units[k]! > 0)
      .sort((a, b) => c.quality[a]! - c.quality[b]! || a - b);
    const worst = byQuality[0]!;
    const second = byQuality[1]!;
    // Enough for the worst cell and three homes of the next one, plus change.
    const homes = c.units[worst]! + 3;
    const amount = homes * clearanceCostPerUnit() + 1_000;
    const spent = clearAndRebuild(w, mask, amount, { quality: REBUILD_QUALITY, socialShare: REBUILD_SOCIAL_SHARE });
    expect(spent).toBe(homes * (CLEARANCE_COSTS.demolitionPerUnit + COSTS.homeCost * COSTS.homeSubsidy));
    expect(c.demolish[worst]).toBe(c.units[worst]);
    expect(c.demolish[second]).toBe(3);
    expect(c.rebuildUnits[worst]).toBe(c.units[worst]);
    expect(c.rebuildQuality[worst]).toBeCloseTo(REBUILD_QUALITY, 6);
    expect(c.rebuildSocial[worst]).toBe(Math.round(c.units[worst]! * REBUILD_SOCIAL_SHARE));
    let ordered = 0;
    for (let k = 0; k < c.n; k++) ordered += c.demolish[k]!;
    expect(ordered).toBe(homes);
    expect(w.ledger.physical).toBe(spent);
    expect(w.ledger.privateInvestment).toBeCloseTo(homes * COSTS.homeCost * (1 - COSTS.homeSubsidy), 6);
  });

  it('finishes a neighbourhood under redevelopment before starting the worst other one; skips a cell with an order pending; buys nothing below one home', () => {
    const w = smallWorld(3);
    const c = w.cells;
    const mask = new Uint8Array(c.n).fill(1);
    const byQuality = Array.from({ length: c.n }, (_, k) => k)
      .filter((k) => c.units[k]! > 0)
      .sort((a, b) => c.quality[a]! - c.quality[b]! || a - b);
    const [worst, pending] = byQuality as [number, number];
    // A cell of middling housing whose redevelopment has started (10 homes being built).
    const started = byQuality[Math.floor(byQuality.length / 2)]!;
    c.building[started] = 10;
    c.demolish[pending] = 2;
    expect(clearAndRebuild(w, mask, clearanceCostPerUnit() - 1)).toBe(0);
    expect(clearAndRebuild(w, mask, 2 * clearanceCostPerUnit())).toBe(2 * clearanceCostPerUnit());
    expect(c.demolish[started]).toBe(2);
    expect(c.demolish[worst]).toBe(0);
    expect(c.demolish[pending]).toBe(2);
    // Once the started cell's old homes are all ordered, the money goes to the worst housing.
    const rest = c.units[started]!;
    c.demolish.fill(0);
    c.demolish[pending] = 2;
    expect(clearAndRebuild(w, mask, (rest + 3) * clearanceCostPerUnit())).toBe((rest + 3) * clearanceCostPerUnit());
    expect(c.demolish[started]).toBe(rest);
    expect(c.demolish[worst]).toBe(3);
  });
});
