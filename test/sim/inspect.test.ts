/**
 * The read-only views the lab shows (sim/inspect.ts) and an interactive session's result: a
 * household's history matches the move log, the displaced are counted where they went, reading
 * never changes a run, and a session stepped year by year reports what a batch run reports.
 */
import { describe, expect, it } from 'vitest';
import { displacement, householdHistory, householdsIn } from '../../sim/inspect.ts';
import { createSimulation, resultOf, runScenario } from '../../sim/simulation.ts';
import { DISSOLVED, REGION_CODES } from '../../sim/world.ts';
import { createApi } from '../../workers/api.ts';
import { smallConfig } from './helpers.ts';

const config = smallConfig({ policy: { kind: 'tabula-rasa', startYear: 1, durationYears: 3 } });

describe('inspect', () => {
  const sim = createSimulation(config, { seed: 3 });
  sim.runYears(4);
  const w = sim.world;

  it('lists the households of a cell, all living there', () => {
    let cell = 0;
    while (w.cells.households[cell] === 0) cell++;
    const list = householdsIn(w, cell);
    expect(list).toHaveLength(w.cells.households[cell]!);
    for (const hh of list) expect(hh.cell).toBe(cell);
    expect(() => householdsIn(w, w.geo.n)).toThrow(/cell must be an integer/);
  });

  it('says what each head does as the census counts it: in work, unemployed, sick or retired', () => {
    const h = w.households;
    const seen = new Set<string>();
    for (let cell = 0; cell < w.geo.n; cell++) {
      for (const hh of householdsIn(w, cell)) {
        seen.add(hh.work);
        let s = 0;
        while (!(h.alive[s] && h.id[s] === hh.id)) s++;
        expect(hh.employed).toBe(hh.work === 'in work');
        if (hh.work === 'retired') expect(h.age[s]).toBeGreaterThanOrEqual(w.config.labour.retirementAge);
        // (A head who reached retirement age since the quarter's labour step keeps its flag until the next.)
        if (hh.work !== 'retired') expect(hh.work === 'out of work through ill health').toBe(h.sick[s] === 1);
        expect(hh.grownChild).toBe(h.startCell[s]! <= -2);
      }
    }
    expect([...seen].sort()).toEqual(['in work', 'out of work through ill health', 'retired', 'unemployed']);
  });

  it("gives a household's moves in order, ending where it lives", () => {
    const h = w.households;
    let slot = -1;
    for (let s = 0; s < h.count; s++) if (h.alive[s] && h.movedTick[s]! > 0) { slot = s; break; }
    expect(slot).toBeGreaterThanOrEqual(0);
    const hist = householdHistory(w, h.id[slot]!);
    expect(hist.now?.cell).toBe(h.cell[slot]);
    expect(hist.moves.length).toBeGreaterThan(0);
    expect(hist.moves.at(-1)!.to).toBe(h.cell[slot]);
    for (let i = 1; i < hist.moves.length; i++) expect(hist.moves[i]!.tick).toBeGreaterThanOrEqual(hist.moves[i - 1]!.tick);
    expect(() => householdHistory(w, 1e9)).toThrow(/no household/);
  });

  it('counts moves out of the target by destination; forced moves are a part of them', () => {
    const d = displacement(w);
    expect(d.total).toBeGreaterThan(0);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(d.all)).toBe(d.total);
    expect(sum(d.byReason)).toBe(d.total);
    // Tabula rasa clears homes: demolition moves households out.
    expect(d.byReason.demolition ?? 0).toBeGreaterThan(0);
    expect(sum(d.forced)).toBe((d.byReason.demolition ?? 0) + (d.byReason.rent ?? 0));
    let inCity = 0;
    for (let k = 0; k < w.geo.n; k++) {
      if (d.allTo[k]! > 0) expect(w.region.code[k]).not.toBe(REGION_CODES.target);
      inCity += d.allTo[k]!;
      expect(d.forcedTo[k]!).toBeLessThanOrEqual(d.allTo[k]!);
    }
    expect(inCity).toBe(d.total - d.all.outside);
    // The households forced out can be followed: each history has a forced move out of the target.
    expect(d.forcedIds.length).toBeGreaterThan(0);
    for (const id of d.forcedIds.slice(0, 5)) {
      const moves = householdHistory(w, id).moves;
      expect(moves.some((m) => (m.reason === 'demolition' || m.reason === 'rent') && m.from >= 0 && w.region.code[m.from] === REGION_CODES.target)).toBe(true);
    }
  });

  it("the run's churn counts the same moves out of the target, by destination, as the lab's map of them", () => {
    const d = displacement(w);
    const churn = sim.frame().churn!;
    // The frame of year 4 and the move log now: the same quarters.
    expect(sim.frame().year).toBe(4);
    expect(churn.outMovers).toBe(d.total);
    expect(churn.outMoverPovertyRate! * churn.outMovers!).toBeCloseTo(d.poor, 9);
    expect(churn.outMoversToRing).toBe(d.all.ring);
    expect(churn.outMoversToComparison).toBe(d.all.comparison);
    expect(churn.outMoversToRest).toBe(d.all.rest);
    expect(churn.outMoversLeftCity).toBe(d.all.outside);
    expect(churn.forcedOutMovers).toBe((d.byReason.rent ?? 0) + (d.byReason.demolition ?? 0));
    expect(churn.forcedToRing).toBe(d.forced.ring);
    expect(churn.forcedLeftCity).toBe(d.forced.outside);
    expect(churn.forcedOutMovers).toBeGreaterThan(0);
    expect(churn.poorOutMoversToRing).toBeLessThanOrEqual(churn.outMoversToRing!);
    // The households that dissolved (their last member died) did not move out: not counted.
    let dissolved = 0;
    const m = w.moves;
    for (let i = w.region.moveLogAt; i < m.length; i++) {
      if (m.from[i]! >= 0 && w.region.code[m.from[i]!] === REGION_CODES.target && m.reason[i] === DISSOLVED) dissolved++;
    }
    expect(dissolved).toBeGreaterThan(0);
    // In-movers from the ring are a part of the in-movers.
    expect(churn.inMoversFromRing).toBeGreaterThan(0);
    expect(churn.inMoversFromRing).toBeLessThanOrEqual(churn.inMovers!);
  });

  it('a session stepped year by year and read between years reports what a batch run reports', () => {
    const api = createApi();
    const id = api.open(config, 3);
    for (let y = 0; y < 4; y++) {
      api.step(id, 4);
      api.snapshot(id);
      api.displacement(id);
      api.households(id, 0);
    }
    const batch = runScenario(config, { seed: 3, years: 4 });
    expect(JSON.stringify(api.result(id))).toBe(JSON.stringify(batch));
    expect(JSON.stringify(resultOf(sim, config, 3))).toBe(JSON.stringify(batch));
  });

  it('snapshots carry region codes, the facilities and the hub', () => {
    const snap = sim.snapshot();
    expect(snap.layers.region!.some((v) => v === REGION_CODES.target)).toBe(true);
    expect(snap.facilities!.cell.length).toBe(w.resources.count);
    const hub = createSimulation(smallConfig({ policy: { kind: 'hub-based', startYear: 0 } }), { seed: 1 });
    hub.step(1);
    const hs = hub.snapshot();
    expect(hs.facilities!.hub).toBeGreaterThanOrEqual(0);
    expect(Math.max(...hs.layers.targetWeight!)).toBe(1);
  });
});
