/**
 * Shared fixtures of the scenario tests. Each teaching claim is checked over ten seeds on a
 * quarter-size city (16 × 16 cells, 12,500 households: about a quarter of the default's cost),
 * with the scenario's own settings otherwise; each test says where it shortens the horizon. The
 * claims were measured on this city and hold on the default one too (the teaching notes quote
 * the figures and their commands).
 */
import { meanInterval } from '../../sim/metrics/evaluation.ts';
import type { ScenarioConfig } from '../../sim/config/schema.ts';
import { runScenario, spinUp, spinUpKey } from '../../sim/simulation.ts';
import type { RunResult, YearFrame } from '../../sim/types.ts';
import { cloneWorld, type World } from '../../sim/world.ts';
import { planComparison } from '../../workers/compare.ts';
import { loadScenario } from '../../workers/scenarios.ts';

/** Ten seeds: the least the project accepts for a claim about a distribution of runs. */
export const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The quarter-size city, as `--set` overrides. */
export const SMALL_CITY = ['city.width=16', 'city.height=16', 'households.count=12500'];

/** A bundled scenario on the small city, with further `--set` overrides. */
export function scenario(name: string, sets: string[] = []) {
  return loadScenario(name, [...SMALL_CITY, ...sets]);
}

/**
 * Spun-up cities by their key (the city's configuration and the seed): runs of one city and seed
 * start from exact copies of one spin-up, as `regensim compare` does, instead of repeating it.
 */
const spun = new Map<string, World>();

/** One run from a copy of the shared spin-up of its city and seed. */
export function run(config: ScenarioConfig, seed: number, years: number): RunResult {
  const key = spinUpKey(config, seed);
  let world = spun.get(key);
  if (!world) {
    world = spinUp(config, seed);
    spun.set(key, world);
  }
  return runScenario(config, { seed, years, world: cloneWorld(world, config) });
}

/** The scenario's runs over the seeds. */
export function runSeeds(name: string, sets: string[] = [], years?: number): RunResult[] {
  const config = scenario(name, sets);
  return SEEDS.map((seed) => run(config, seed, years ?? config.run.years));
}

/**
 * The scenario's policy runs and their counterfactuals over the seeds, planned exactly as
 * `regensim compare` plans them (same seed, same target, `none` in place of the policy).
 */
export function pairedSeeds(name: string, sets: string[], years: number): { policy: RunResult[]; none: RunResult[] } {
  const config = scenario(name, sets);
  const kind = config.policy.kind;
  const plan = planComparison(config, [kind], SEEDS, years);
  const results = plan.tasks.map((t) => run(t.config, t.seed, t.years));
  return {
    policy: plan.runs[kind]!.policy.map((i) => results[i]!),
    none: plan.runs[kind]!.counterfactual.map((i) => results[i]!),
  };
}

type Block = Record<string, number> | undefined;

/** A final value: `block.metric`, e.g. `originalResidents.meanSkill`. */
export function at(r: RunResult, key: string): number {
  const dot = key.indexOf('.');
  const v = (r.final as Record<string, Block>)[key.slice(0, dot)]?.[key.slice(dot + 1)];
  if (v === undefined) throw new Error(`no ${key} in the run of ${r.scenario}, seed ${r.seed}`);
  return v;
}

/**
 * `metric` over the original residents as people in a frame: the households of the start and those
 * their children (born before the start) have set up since (`grownChildren`), weighted by
 * households — a programme's gain to a child shows in the adult it becomes (docs/ODD.md §8).
 */
export function ofOriginalPeople(f: Omit<YearFrame, 'year'>, metric: string): number {
  const o = f.originalResidents!, g = f.grownChildren!;
  const n = o.households! + g.households!;
  return n > 0 ? (o.households! * o[metric]! + g.households! * (g.households! > 0 ? g[metric]! : 0)) / n : NaN;
}

/** `at` as a function of a run, for `diff`: metric('target.povertyRate'). */
export const metric = (path: string) => (r: RunResult): number => at(r, path);

/** Mean and 95% interval of `f` over runs. */
export function over<T>(runs: readonly T[], f: (r: T) => number) {
  return meanInterval(runs.map(f));
}

/** Mean and 95% interval of the paired difference a − b of `f`. */
export function diff(a: readonly RunResult[], b: readonly RunResult[], f: (r: RunResult) => number) {
  return meanInterval(a.map((r, i) => f(r) - f(b[i]!)));
}

/** Sum of a yearly metric of a block over the series (e.g. forced moves over the run). */
export function total(r: RunResult, block: string, metric: string): number {
  let s = 0;
  for (const f of r.series) s += (f as unknown as Record<string, Block>)[block]?.[metric] ?? 0;
  return s;
}
