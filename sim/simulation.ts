/**
 * The simulation facade: `createSimulation(config, { seed })` → `{ step, runYears, frame, series,
 * snapshot }`. Hosts (the CLI, workers, the UI, tests) drive the engine through this object and
 * read plain frames and snapshots, never the live arrays (tests may inspect `world`).
 */
import type { ScenarioConfig } from './config/schema.ts';
import { configHash } from './config/load.ts';
import { outOfWorkRate } from './census.ts';
import { createWorld } from './create.ts';
import { runDid } from './metrics/evaluation.ts';
import { createMetrics, type MetricsState } from './metrics/reporters.ts';
import { indexSwitch } from './boundaries.ts';
import { schellingSimulation } from './schelling.ts';
import { boundaryOf, boundaryRuleOf, startProgramme, startTickOf } from './policies/index.ts';
import { applyBoundary, drawBoundary, type BoundaryRule } from './boundaries.ts';
import { step as stepWorld } from './step.ts';
import type { RunResult, Snapshot, YearFrame } from './types.ts';
import { cloneWorld, createTracker, originTickOf, trackerView, yearOfTick, type Tracker, type World } from './world.ts';

/** The engine's version, reported in every result (kept equal to package.json by a test). */
export const VERSION = '0.1.0';

export interface SimulationOptions {
  seed?: number;
  /**
   * A world already spun up for this configuration's city and this seed (from `spinUp`, or a
   * `cloneWorld` of one): the simulation takes it over as is instead of spinning up its own.
   */
  world?: World;
  /**
   * Configurations that differ from this run's only in `policy.boundary`, for a run without a
   * programme (`policy.kind` "none"): the run follows each one's regions as well (a tracker,
   * sim/world.ts), and `trackedResultOf` reports for each exactly what a run of that
   * configuration would. A comparison's counterfactuals of several rules are then one run.
   */
  track?: readonly ScenarioConfig[];
  /**
   * Which years' frames to collect (year 0's always is); the default, every year. A year left out
   * costs only its bookkeeping (`Metrics.skip`), and the frames kept are those a run collecting
   * every year has: a batch that reads a few years (a comparison reads the programme's end and the
   * last year) need not pay for the others.
   */
  keepFrame?: (year: number) => boolean;
  /**
   * A run of the same city and seed stopped where this run's programme starts (`runToStart`):
   * this run resumes from a copy of it instead of running those years again (instead of `world`).
   */
  from?: Checkpoint;
}

/**
 * A run stopped at the tick its programme starts, before the programme acts: the city, the
 * reporters' memory of past years and every year's frame so far. Until then nothing a policy sets
 * has acted (the subsystems never read the policy; the policy stage waits for its start), so runs
 * of one city, seed and start year that differ only in their policy can all resume from one
 * checkpoint, and each reports exactly what it would have from year 0 (`test/sim/frames.test.ts`).
 */
export interface Checkpoint {
  readonly world: World;
  readonly metrics: MetricsState;
  readonly series: readonly YearFrame[];
}

/** Runs `config` from year 0 (from its spun-up `world`, or one of its own) to its programme's start. */
export function runToStart(config: ScenarioConfig, seed: number, world?: World): Checkpoint {
  const sim = createSimulation(config, { seed, ...(world ? { world } : {}) });
  sim.step(config.policy.startYear * 4);
  return sim.checkpoint();
}

/** A configuration followed by a run's tracker: its frames and baseline, as its own run would have them. */
export interface TrackedRun {
  readonly config: ScenarioConfig;
  readonly series: readonly YearFrame[];
  readonly baseline: Omit<YearFrame, 'year'> | null;
}

/** The configuration without its boundary rule, as a hash: equal for runs one tracker can stand for. */
export function trackingKey(config: ScenarioConfig): string {
  const { boundary: _b, ...policy } = config.policy;
  void _b;
  return configHash({ ...config, policy } as ScenarioConfig);
}

/** Refuses a `track` entry that one run cannot stand for, naming why. */
function checkTracked(config: ScenarioConfig, tracked: readonly ScenarioConfig[]): void {
  if (!tracked.length) return;
  if (config.policy.kind !== 'none') {
    throw new RangeError(`track: only a run without a programme (policy.kind "none") can follow other boundaries, not a run of "${config.policy.kind}"`);
  }
  const own = trackingKey(config);
  tracked.forEach((t, i) => {
    if (t.model !== config.model || trackingKey(t) !== own) {
      throw new RangeError(`track[${i}]: a tracked configuration may differ from the run's only in policy.boundary`);
    }
  });
}

/**
 * Creates the city and runs its spin-up (`run.spinUpYears` with no programme), so that year 0
 * is a city in rough balance. What happens here depends only on the city's configuration and
 * the seed, never on the policy: the policy acts from year `policy.startYear` on.
 */
export function spinUp(config: ScenarioConfig, seed: number = config.run.seed): World {
  const world = createWorld(config, seed);
  const origin = originTickOf(config);
  while (world.city.tick < origin) stepWorld(world);
  return world;
}

/**
 * The key under which a spun-up world can be shared: the configuration without its policy, and
 * the seed. Two runs with equal keys have identical worlds at year 0.
 */
export function spinUpKey(config: ScenarioConfig, seed: number): string {
  // Names, notes, the policy and the run's length do not change the spin-up; the rest may.
  const { policy: _policy, name: _name, title: _title, description: _description, run, ...city } = config;
  void _policy, _name, _title, _description;
  return `${seed}:${run.spinUpYears}:${configHash({ ...city, run: { spinUpYears: run.spinUpYears } } as unknown as ScenarioConfig)}`;
}

export interface Simulation {
  /** The city's live stores (tests inspect them); a Schelling run has none and throws. */
  readonly world: World;
  readonly tick: number;
  readonly year: number;
  /** Yearly frames so far, starting with year 0 (the initial state). */
  readonly series: readonly YearFrame[];
  /** The regions when the programme started (null before, or without a target). */
  readonly baseline: Omit<YearFrame, 'year'> | null;
  /** The configurations of `track`, in its order, with their frames so far. */
  readonly tracked: readonly TrackedRun[];
  /** Advances `ticks` quarters; a frame is added at the end of each year. */
  step(ticks?: number): void;
  runYears(years: number): void;
  /** The latest yearly frame collected (every year's unless `keepFrame` says otherwise). */
  frame(): YearFrame;
  /** Per-neighbourhood layers for maps (copies: safe to transfer). */
  snapshot(): Snapshot;
  /**
   * A copy of the run's state to resume runs of other policies from (`SimulationOptions.from`):
   * only up to its programme's start, of a run that tracks nothing and keeps every frame.
   */
  checkpoint(): Checkpoint;
}

export function createSimulation(config: ScenarioConfig, opts: SimulationOptions = {}): Simulation {
  if (config.model === 'schelling') {
    if (opts.track?.length) throw new RangeError('track: a Schelling run has no regions to follow');
    return createSchellingFacade(config, opts.seed ?? config.run.seed);
  }
  const seed = opts.seed ?? config.run.seed;
  const from = opts.from;
  if (from) {
    if (opts.world) throw new RangeError('createSimulation: give a world or a checkpoint to start from, not both');
    const at = startTickOf(config);
    if (from.world.city.tick !== at || from.world.rng.seed !== seed || spinUpKey(from.world.config, seed) !== spinUpKey(config, seed)) {
      throw new RangeError(`createSimulation: the checkpoint is of another city or seed, or at tick ${from.world.city.tick}, not at this run's start (tick ${at}) with seed ${seed}`);
    }
  }
  const world = from ? cloneWorld(from.world, config) : opts.world ?? spinUp(config, seed);
  if (!from && (world.city.tick !== originTickOf(config) || world.rng.seed !== seed)) {
    throw new RangeError(`createSimulation: the world given is at tick ${world.city.tick} with seed ${world.rng.seed}, not at year 0 (tick ${originTickOf(config)}) with seed ${seed}`);
  }
  const origin = originTickOf(config);
  const track = opts.track ?? [];
  checkTracked(config, track);
  const trackers: Tracker[] = track.map(() => createTracker(world.geo.n, world.households.capacity));
  // This run's trackers only, in `track`'s order (a world copied from a tracking run brings its
  // trackers along; they never act on the city, so dropping them changes nothing else).
  world.trackers.length = 0;
  world.trackers.push(...trackers);
  const tracked = track.map((t) => ({
    config: t,
    series: [] as YearFrame[],
    baseline: null as Omit<YearFrame, 'year'> | null,
    boundaries: undefined as YearFrame['boundaries'],
  }));
  const metrics = createMetrics(world, from?.metrics);
  const keep = opts.keepFrame;
  /** Collects the year's frame of the run and of each tracker. */
  const collect = (): YearFrame => {
    const { frame, tracked: frames } = metrics.frames(trackers.map((t) => trackerView(world, t)));
    frames.forEach((f, i) => {
      const b = tracked[i]!.boundaries;
      tracked[i]!.series.push(b ? { ...f, boundaries: b } : f);
    });
    return frame;
  };
  /** The checkpoint's frames this run keeps; a tracker's, before its regions exist, are the city's. */
  const resumed = (): YearFrame[] => {
    const kept = structuredClone(from!.series.filter((f) => f.year === 0 || !keep || keep(f.year)));
    for (const t of tracked) t.series.push(...kept.map((f): YearFrame => ({ year: f.year, city: { ...f.city } })));
    return kept;
  };
  const series: YearFrame[] = from ? resumed() : [collect()];
  let baseline: Omit<YearFrame, 'year'> | null = null;
  /** The comparison of the target's rule with `policy.compareBoundary`, once drawn. */
  let boundaries: YearFrame['boundaries'];
  /** Draws a tracker's regions on the state the run's own target is drawn on, as its own run would. */
  const startTracker = (i: number): void => {
    const t = tracked[i]!;
    const rule = boundaryRuleOf(t.config);
    if (!rule) return;
    // One view serves both: drawing the regions changes no household count it copied.
    const view = trackerView(world, trackers[i]!);
    applyBoundary(view, drawBoundary(world, rule, t.config.policy.ringDistance));
    if (view.region.hasTarget) t.baseline = metrics.baseline(view);
    const alt = t.config.policy.compareBoundary;
    if (alt) t.boundaries = indexSwitch(world, rule, alt as BoundaryRule);
  };
  const sim: Simulation = {
    world,
    get tick() {
      return world.city.tick - origin;
    },
    get year() {
      return yearOfTick(config, world.city.tick);
    },
    series,
    get baseline() {
      return baseline;
    },
    tracked,
    step(ticks = 1) {
      for (let t = 0; t < ticks; t++) {
        // The programme's target is drawn just before its first tick, so that the regions'
        // baseline is their state when it starts.
        if (world.city.tick === startTickOf(config)) {
          // Trackers first: their regions are drawn on the state before any programme acts.
          tracked.forEach((_, i) => startTracker(i));
          startProgramme(world);
          if (world.region.hasTarget) baseline = metrics.baseline();
          const alt = config.policy.compareBoundary;
          const rule = boundaryRuleOf(config);
          // Drawn on the same state as the target, before the programme's first quarter.
          if (alt && rule) boundaries = indexSwitch(world, rule, alt as BoundaryRule);
        }
        stepWorld(world);
        if (world.city.tick % 4 === 0) {
          if (keep && !keep(yearOfTick(config, world.city.tick))) {
            metrics.skip();
            continue;
          }
          const f = collect();
          series.push(boundaries ? { ...f, boundaries } : f);
        }
      }
    },
    runYears(years) {
      sim.step(years * 4);
    },
    frame() {
      return series[series.length - 1]!;
    },
    checkpoint() {
      if (world.city.tick > startTickOf(config) || trackers.length || keep) {
        throw new RangeError('checkpoint: only a run that tracks nothing and keeps every frame, before its programme starts');
      }
      return { world: cloneWorld(world), metrics: metrics.state(), series: structuredClone(series) };
    },
    snapshot() {
      const c = world.cells;
      const r = world.resources;
      const n = c.n;
      const layer = (f: (k: number) => number): Float32Array => {
        const out = new Float32Array(n);
        for (let k = 0; k < n; k++) out[k] = f(k);
        return out;
      };
      const rate = (a: Int32Array, b: Int32Array) => layer((k) => (b[k]! > 0 ? a[k]! / b[k]! : 0));
      return {
        year: sim.year,
        tick: world.city.tick - origin,
        n,
        layers: {
          households: layer((k) => c.households[k]!),
          poverty: rate(c.poor, c.households),
          unemployment: rate(c.unemployed, c.labourForce),
          // Working-age heads out of work, unemployed or sick, over all of working age.
          outOfWork: layer((k) => outOfWorkRate(c, k)),
          income: layer((k) => (c.households[k]! > 0 ? c.incomeSum[k]! / c.households[k]! : 0)),
          rent: c.rent.slice(),
          quality: c.quality.slice(),
          environment: c.environment.slice(),
          schoolQuality: c.schoolQuality.slice(),
          crime: c.crime.slice(),
          cohesion: c.cohesion.slice(),
          movesIn: layer((k) => c.movesIn[k]!),
          movesOut: layer((k) => c.movesOut[k]!),
          forcedOut: layer((k) => c.forcedOut[k]!),
          // For maps: region codes (REGION_CODES) and the soft weight of a hub's catchment.
          region: layer((k) => world.region.code[k]!),
          targetWeight: boundaryOf(world)?.weight.slice() ?? new Float32Array(n),
        },
        facilities: {
          kind: r.kind.slice(0, r.count),
          cell: r.cell.slice(0, r.count),
          quality: r.quality.slice(0, r.count),
          open: r.open.slice(0, r.count),
          hub: boundaryOf(world)?.resource ?? -1,
        },
      };
    },
  };
  return sim;
}

/**
 * The Schelling model behind the same facade: `step` plays rounds (four a yearly frame), frames
 * carry its metrics under `city`, and there is no world, target or baseline.
 */
function createSchellingFacade(config: ScenarioConfig, seed: number): Simulation {
  const inner = schellingSimulation(config, seed);
  const sim: Simulation = {
    get world(): World {
      throw new RangeError('model "schelling": a Schelling run has no city world; read its frames and snapshots');
    },
    get tick() {
      return inner.model.tick;
    },
    get year() {
      return Math.floor(inner.model.tick / 4);
    },
    series: inner.series,
    baseline: null,
    tracked: [],
    step(ticks = 1) {
      inner.step(ticks);
    },
    runYears(years) {
      inner.step(years * 4);
    },
    frame() {
      return inner.series[inner.series.length - 1]!;
    },
    checkpoint() {
      throw new RangeError('model "schelling": a Schelling run has no programme to resume runs from');
    },
    snapshot() {
      return inner.snapshot();
    },
  };
  return sim;
}

/** One whole run, as `regensim run --json` prints it. */
/** What a whole run is given: `frameYears`, the years whose frames its `series` keeps (below). */
export interface RunOptions {
  seed: number;
  years: number;
  /** Called with each frame kept, year 0's first. */
  onYear?: (f: YearFrame) => void;
  world?: World;
  /** A checkpoint to resume from instead (`runToStart`); `onYear` then starts at its last frame kept. */
  from?: Checkpoint;
  /**
   * Years whose frames the result's `series` keeps besides year 0, the programme's last year
   * (`did` reads it) and the final year (`final`); every year when absent. The frames kept, `final`
   * and `did` are the same either way.
   */
  frameYears?: readonly number[];
}

export function runScenario(config: ScenarioConfig, opts: RunOptions): RunResult {
  return runTracked(config, { ...opts, track: [] }).result;
}

/** The `keepFrame` of a whole run of `years` that keeps `frameYears` (see `RunOptions`). */
export function keptYears(config: ScenarioConfig, years: number, frameYears?: readonly number[]): ((year: number) => boolean) | undefined {
  if (!frameYears) return undefined;
  const endYear = config.policy.startYear + config.policy.durationYears;
  const kept = new Set([years, endYear, ...frameYears]);
  return (year) => kept.has(year);
}

/** One whole run and the results of the configurations it follows (`track`), in their order. */
export function runTracked(
  config: ScenarioConfig,
  opts: RunOptions & { track: readonly ScenarioConfig[] },
): { result: RunResult; tracked: RunResult[] } {
  const keepFrame = keptYears(config, opts.years, opts.frameYears);
  const sim = createSimulation(config, {
    seed: opts.seed,
    track: opts.track,
    ...(opts.world ? { world: opts.world } : {}),
    ...(opts.from ? { from: opts.from } : {}),
    ...(keepFrame ? { keepFrame } : {}),
  });
  opts.onYear?.(sim.frame());
  for (let y = sim.year; y < opts.years; y++) {
    sim.step(4);
    if (!keepFrame || keepFrame(sim.year)) opts.onYear?.(sim.frame());
  }
  return { result: resultOf(sim, config, opts.seed), tracked: sim.tracked.map((_, i) => trackedResultOf(sim, i, opts.seed)) };
}

/**
 * A simulation's result at its current year, as `runScenario` reports it after that many years:
 * an interactive session stepped year by year (the browser lab) reports the same JSON as a batch
 * run of the same length.
 */
export function resultOf(sim: Simulation, config: ScenarioConfig, seed: number): RunResult {
  return resultFrom(sim.series, sim.baseline, sim.year, config, seed);
}

/** The result of the `i`-th tracked configuration: what a run of it, to this year, would report. */
export function trackedResultOf(sim: Simulation, i: number, seed: number): RunResult {
  const t = sim.tracked[i];
  if (!t) throw new RangeError(`tracked: no configuration at index ${i} (the run follows ${sim.tracked.length})`);
  return resultFrom(t.series, t.baseline, sim.year, t.config, seed);
}

function resultFrom(
  series: readonly YearFrame[],
  baseline: Omit<YearFrame, 'year'> | null,
  year: number,
  config: ScenarioConfig,
  seed: number,
): RunResult {
  const last = series[series.length - 1]!;
  const { year: _year, ...final } = last;
  void _year;
  const endYear = config.policy.startYear + config.policy.durationYears;
  const { year: _endYear, ...end } = series.find((f) => f.year === endYear) ?? last;
  void _endYear;
  const did = runDid(baseline, end);
  return {
    version: VERSION,
    scenario: config.name,
    policy: config.policy.kind,
    seed,
    years: year,
    configHash: configHash(config),
    final,
    series: [...series],
    ...(baseline ? { baseline } : {}),
    ...(did ? { did } : {}),
  };
}
