/**
 * A run that keeps only some years' frames (`frameYears`; sim/simulation.ts, `keepFrame`) reports
 * those frames, its final frame and its difference-in-differences exactly as a run that keeps every
 * year — the flows, the five-year persistence of the deprived units and the LISA permutations of a
 * kept year do not depend on which years before it were framed.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../sim/config/schema.ts';
import { createRng } from '../../sim/rng.ts';
import { runScenario, runTracked } from '../../sim/simulation.ts';
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
