/**
 * The adjacent ring's poverty change split into its residents' own change and the change from who
 * moved (churn's `ringPovertyChange`, `ringStayers`, `ringPeopleChange`, `ringCompositionChange`):
 * checked against the households of the ring recorded by id when the programme starts and found
 * again at the end, as someone reading the stores from outside would count them.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../sim/simulation.ts';
import { REGION_CODES } from '../../sim/world.ts';
import { smallConfig } from './helpers.ts';

describe("the ring's decomposition", () => {
  it("counts the ring's households of the start still living in it, and their poverty then and now", () => {
    const config = smallConfig({ policy: { kind: 'place-based', startYear: 1, durationYears: 3 } });
    const sim = createSimulation(config, { seed: 5 });
    const w = sim.world;
    const h = w.households;
    // Every household's cell and poverty, by id (slots are reused once a household is gone), as
    // the quarter in which the programme draws its target begins: the target is drawn first thing.
    let before = new Map<number, [number, number]>();
    while (!w.region.hasTarget) {
      before = new Map();
      for (let s = 0; s < h.count; s++) if (h.alive[s] && h.cell[s]! >= 0) before.set(h.id[s]!, [h.cell[s]!, h.poor[s]!]);
      sim.step(1);
    }
    const code = w.region.code;
    const ring = REGION_CODES.ring;
    const poorThen = new Map<number, number>();
    let startPoor = 0;
    for (const [id, [cell, poor]] of before) {
      if (code[cell] !== ring) continue;
      poorThen.set(id, poor);
      startPoor += poor;
    }
    expect(poorThen.size).toBeGreaterThan(100);
    // To the end of year 4, where the frame is taken.
    sim.step(16 - w.city.tick);
    const f = sim.frame();
    expect(f.year).toBe(4);
    let stayers = 0, then = 0, now = 0;
    for (let s = 0; s < h.count; s++) {
      if (!h.alive[s] || h.cell[s]! < 0 || code[h.cell[s]!] !== ring) continue;
      const p = poorThen.get(h.id[s]!);
      if (p === undefined) continue;
      stayers++;
      then += p;
      now += h.poor[s]!;
    }
    const churn = f.churn!;
    // Some left and some came: the split has something to split.
    expect(stayers).toBeGreaterThan(0);
    expect(stayers).toBeLessThan(poorThen.size);
    expect(churn.ringStayers).toBe(stayers);
    expect(churn.ringPeopleChange).toBeCloseTo((now - then) / stayers, 12);
    expect(churn.ringPovertyChange).toBeCloseTo(f.ring!.povertyRate! - startPoor / poorThen.size, 12);
    expect(churn.ringPeopleChange! + churn.ringCompositionChange!).toBeCloseTo(churn.ringPovertyChange!, 12);
  });
});
