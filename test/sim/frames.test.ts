/**
 * A run that keeps only some years' frames (`frameYears`; sim/simulation.ts, `keepFrame`) reports
 * those frames, its final frame and its difference-in-differences exactly as a run that keeps every
 * year — the flows, the five-year persistence of the deprived units and the LISA permutations of a
 * kept year do not depend on which years before it were framed.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../sim/config/schema.ts';
import { createRng } from '../../sim/rng.ts';
import { createSimulation, runScenario, runToStart, runTracked, spinUp } from '../../sim/simulation.ts';
import { createApi } from '../../workers/api.ts';
import { smallConfig } from './helpers.ts';

const YEARS = 8;
const config = (kind: string): ScenarioConfig =>
  smallConfig({ run: { spinUpYears: 1 }, policy: { kind, startYear: 1, durationYears: 3 } } as never);

/** The frames of `full` in the years `sparse` kept, as JSON. */
const keptOf = (full: { series: readonly { year: number }[] }, years: readonly number[]) =>
  JSON.stringify(full.series.filter((f) => years.includes(f.year)));

describe('a run that keeps only some frames', () => {
  it('keeps year 0, the programme end, the asked years and the last, each as in a full run', () => {
    const cfg = config('place-based');
    const full = runScenario(cfg, { seed: 3, years: YEARS });
    const sparse = runScenario(cfg, { seed: 3, years: YEARS, frameYears: [6] });
    expect(sparse.series.map((f) => f.year)).toEqual([0, 4, 6, 8]);
    expect(JSON.stringify(sparse.series)).toBe(keptOf(full, [0, 4, 6, 8]));
    expect(JSON.stringify(sparse.final)).toBe(JSON.stringify(full.final));
    expect(JSON.stringify(sparse.did)).toBe(JSON.stringify(full.did));
    expect(JSON.stringify(sparse.baseline)).toBe(JSON.stringify(full.baseline));
    // The frames that depend on earlier years are there to compare: flows, persistence (year > 5).
    expect(sparse.final.city.turnover).toBeGreaterThan(0);
    expect(sparse.final.city.deprivedPersistence5y).toBeGreaterThan(0);
  });

  it('keeps the same frames for the configurations a run tracks', () => {
    const base = { ...config('none') };
    const track = [{ ...base, policy: { ...base.policy, boundary: { type: 'index', weights: 'ild1998', quotaHouseholds: 800 } } }] as ScenarioConfig[];
    const full = runTracked(base, { seed: 5, years: YEARS, track });
    const sparse = runTracked(base, { seed: 5, years: YEARS, track, frameYears: [] });
    expect(JSON.stringify(sparse.result.series)).toBe(keptOf(full.result, [0, 4, 8]));
    expect(JSON.stringify(sparse.tracked[0]!.series)).toBe(keptOf(full.tracked[0]!, [0, 4, 8]));
    expect(JSON.stringify(sparse.tracked[0]!.did)).toBe(JSON.stringify(full.tracked[0]!.did));
  });
});

describe('Rng.fresh', () => {
  it('starts the stream of a name afresh each time, apart from the kept streams', () => {
    const rng = createRng(7);
    const a = rng.fresh('metrics/lisa/3');
    const first = [a.next(), a.next()];
    rng.stream('metrics/lisa/3').next();
    const b = rng.fresh('metrics/lisa/3');
    expect([b.next(), b.next()]).toEqual(first);
    expect(rng.fresh('metrics/lisa/4').next()).not.toBe(first[0]);
    expect(Object.keys(rng.state().streams)).toEqual(['metrics/lisa/3']);
  });
});

describe('runs resumed from a checkpoint at the programme start', () => {
  const start = () => runToStart(config('tabula-rasa'), 3);

  it('report what a run from year 0 reports, for any policy, keeping any frames', () => {
    const cp = start();
    for (const kind of ['place-based', 'hub-based', 'none']) {
      const cfg = config(kind);
      const fresh = runScenario(cfg, { seed: 3, years: YEARS });
      expect(JSON.stringify(runScenario(cfg, { seed: 3, years: YEARS, from: cp })), kind).toBe(JSON.stringify(fresh));
      const sparse = runScenario(cfg, { seed: 3, years: YEARS, from: cp, frameYears: [] });
      expect(JSON.stringify(sparse.series), kind).toBe(keptOf(fresh, [0, 4, 8]));
    }
  });

  it('report the tracked rules as a run from year 0 does', () => {
    const base = config('none');
    const track = [{ ...base, policy: { ...base.policy, boundary: { type: 'index', weights: 'ild1998', quotaHouseholds: 800 } } }] as ScenarioConfig[];
    const fresh = runTracked(base, { seed: 3, years: YEARS, track });
    const resumed = runTracked(base, { seed: 3, years: YEARS, track, from: start() });
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(fresh));
  });

  it('through the workers API: a seed\'s runs of several policies share it and report as alone', () => {
    const api = createApi();
    for (const kind of ['place-based', 'people-based']) {
      const cfg = config(kind);
      const got = api.runTask({ id: kind, config: cfg, seed: 3, years: YEARS });
      expect(got.error).toBeUndefined();
      expect(JSON.stringify(got.result), kind).toBe(JSON.stringify(runScenario(cfg, { seed: 3, years: YEARS, world: spinUp(cfg, 3) })));
    }
  });

  it('refuses a checkpoint of another city or seed, and one taken after the start', () => {
    const cp = start();
    expect(() => createSimulation(config('none'), { seed: 4, from: cp })).toThrow(/checkpoint is of another city or seed/);
    const other = smallConfig({ run: { spinUpYears: 1 }, city: { width: 10 }, policy: { startYear: 1 } } as never);
    expect(() => createSimulation(other, { seed: 3, from: cp })).toThrow(/checkpoint is of another city or seed/);
    const sim = createSimulation(config('none'), { seed: 3 });
    sim.step(8);
    expect(() => sim.checkpoint()).toThrow(/before its programme starts/);
  });
});
