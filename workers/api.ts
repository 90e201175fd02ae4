/**
 * The engine's one worker API (ARCHITECTURE.md, convention 10): the same plain object is exposed
 * with comlink in a browser Web Worker and, through comlink's Node adapter, in `worker_threads`
 * (workers/node-worker.ts, used by workers/pool.ts). The UI imports its type only.
 *
 * Everything that goes in or out is structured-cloneable plain data. This module imports neither
 * the DOM nor Node nor comlink, so any host (or a test, in process) can call it directly.
 *
 * Transfer of snapshot buffers: `snapshot()` hands its result to the `transfer` hook of
 * `createApi`. A comlink host passes `Comlink.transfer`, so the layer buffers (fresh copies made by
 * the engine) move to the caller instead of being copied a second time; the default `api` uses
 * the identity, which is what an in-process caller wants.
 */
import { validateScenario } from '../sim/config/load.ts';
import type { ScenarioConfig } from '../sim/config/schema.ts';
import { displacement, householdHistory, householdsIn, type Displacement, type HouseholdHistory, type HouseholdSummary } from '../sim/inspect.ts';
import { createSimulation, resultOf, runScenario, runToStart, runTracked, spinUp, spinUpKey, trackedResultOf, type Checkpoint, type Simulation } from '../sim/simulation.ts';
import { cloneWorld, trackerView, type World } from '../sim/world.ts';
import type { RunResult, Snapshot, YearFrame } from '../sim/types.ts';
import { fnv1a } from '../sim/rng.ts';

/** One run of a batch: a scenario, a seed and a length, under a caller-chosen id. */
export interface RunTask {
  id: string;
  config: ScenarioConfig;
  seed: number;
  years: number;
  /**
   * Configurations that differ from `config` only in `policy.boundary`, for a run of "none": the
   * run follows their regions too and reports each one's result in `tracked` (sim/simulation.ts).
   */
  track?: ScenarioConfig[];
  /**
   * Years whose frames the result's `series` keeps besides year 0, the programme's last year and
   * the final year (sim/simulation.ts, `RunOptions`); every year when absent. A comparison reads
   * only those; the years left out are not computed.
   */
  frameYears?: number[];
}

/** The outcome of a `RunTask`: `result` on success, `error` (a message) on failure. */
export interface RunTaskResult {
  id: string;
  result?: RunResult;
  /** The results of the task's `track` configurations, in their order. */
  tracked?: RunResult[];
  error?: string;
  /** Wall time of the run in milliseconds (where the run executed). */
  ms: number;
}

/** What `step` reports: where the session is now and its latest yearly frame. */
export interface StepResult {
  year: number;
  tick: number;
  frame: YearFrame;
  /** The latest frame of each configuration the session tracks, in their order. */
  tracked: YearFrame[];
}

/** `Comlink.transfer`'s shape: marks `transferables` to be moved with `value`, returns `value`. */
export type Transfer = <T>(value: T, transferables: Transferable[]) => T;

export interface ApiHooks {
  /** Called on every snapshot with its layer buffers; the identity when omitted. */
  transfer?: Transfer;
}

const identity: Transfer = (value) => value;

/** `RunTask.frameYears`: absent, or a list of whole years from 0 to MAX_YEARS. */
function validFrameYears(v: unknown, where: string): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new TypeError(`${where}: frameYears must be a list of years, got ${typeof v}`);
  return v.map((y, i) => checkInteger(`frameYears[${i}]`, y, MAX_YEARS));
}

/** A seed or a length arrives by postMessage as any number: name it when it is not usable. */
function checkInteger(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${String(v)}.`);
  }
  return v;
}

// Bounds as in the scenario schema's `run` group (run.seed, run.years).
const MAX_SEED = 2 ** 53 - 1;
const MAX_YEARS = 200;

/**
 * A configuration that crossed a thread is only data, and the engine does not check what it is
 * given (a city 0 cells wide runs without an exception and reports nonsense), so every entry point
 * validates it here, with the same messages as the CLI. Validation fills defaults and is
 * idempotent on a parsed scenario, so a result does not depend on which host ran it.
 */
const validConfig = (config: unknown, source: string): ScenarioConfig => validateScenario(config, source);

/** Error text for a result: a user error's message is complete; anything else keeps its name. */
function describeError(err: unknown): string {
  if (err instanceof Error) return err.name === 'ConfigError' || err.name === 'RangeError' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}

function stepResult(sim: Simulation): StepResult {
  return { year: sim.year, tick: sim.tick, frame: sim.frame(), tracked: sim.tracked.map((t) => t.series[t.series.length - 1]!) };
}

/** Distinct buffers of a snapshot's layers (postMessage refuses a buffer listed twice). */
export function snapshotTransferables(snapshot: Snapshot): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const layer of Object.values(snapshot.layers)) buffers.add(layer.buffer as ArrayBuffer);
  const f = snapshot.facilities;
  if (f) for (const a of [f.kind, f.cell, f.quality, f.open]) buffers.add(a.buffer as ArrayBuffer);
  return [...buffers];
}

/**
 * Builds an API instance. Each instance owns its open sessions, so a worker holds one instance
 * and its sessions live as long as the worker.
 */
export function createApi(hooks: ApiHooks = {}) {
  const transfer = hooks.transfer ?? identity;
  const sessions = new Map<number, Simulation>();
  /** What each session was opened with, for its result. */
  const opened = new Map<number, { config: ScenarioConfig; seed: number }>();
  const validTrack = (track: unknown, source: string): ScenarioConfig[] => {
    if (track === undefined) return [];
    if (!Array.isArray(track)) throw new RangeError(`${source}: track must be a list of configurations`);
    return track.map((t, i) => validConfig(t, `${source}, track[${i}]`));
  };
  let nextSession = 1;
  // The last city spun up, kept pristine: runs that share its seed and city (a policy and its
  // counterfactual, the policies of a comparison) start from a copy instead of spinning up again.
  // A copy continues exactly as the original would, so results do not depend on this cache.
  let spun: { key: string; world: World } | null = null;
  const startWorld = (config: ScenarioConfig, seed: number): World => {
    const key = spinUpKey(config, seed);
    if (spun?.key !== key) spun = { key, world: spinUp(config, seed) };
    return cloneWorld(spun.world, config);
  };
  // The last run stopped at its programme's start (sim/simulation.ts, `runToStart`): the policies
  // of a comparison, and a seed's runs of an experiment, run the years before their start once.
  // A run resumed from it reports exactly what it would from year 0.
  let started: { key: string; checkpoint: Checkpoint } | null = null;
  const startOf = (config: ScenarioConfig, seed: number, years: number): { world: World } | { from: Checkpoint } => {
    if (config.model === 'schelling' || config.policy.startYear === 0 || years < config.policy.startYear) {
      return { world: startWorld(config, seed) };
    }
    const key = `${spinUpKey(config, seed)}|start ${config.policy.startYear}`;
    if (started?.key !== key) started = { key, checkpoint: runToStart(config, seed, startWorld(config, seed)) };
    return { from: started.checkpoint };
  };

  const session = (id: number): Simulation => {
    const sim = sessions.get(id);
    if (!sim) throw new RangeError(`no open session ${String(id)} (never opened, or closed).`);
    return sim;
  };

  /** The session's own result (`tracked` −1) or that of the configuration it tracks at that index. */
  const resultNow = (id: number, tracked: number): RunResult => {
    const sim = session(id);
    const { config, seed } = opened.get(id)!;
    return tracked < 0 ? resultOf(sim, config, seed) : trackedResultOf(sim, tracked, seed);
  };
  const trackedIndex = (v: unknown): number => (v === undefined || v === -1 ? -1 : checkInteger('tracked', v, 1000));

  return {
    /** One whole run, as `regensim run --json` prints it. Throws on a bad config, seed or length. */
    run(config: ScenarioConfig, opts: { seed: number; years: number }): RunResult {
      const valid = validConfig(config, 'config');
      const seed = checkInteger('seed', opts.seed, MAX_SEED);
      const years = checkInteger('years', opts.years, MAX_YEARS);
      return runScenario(valid, { seed, years, world: startWorld(valid, seed) });
    },

    /** One task of a batch. Never throws: a failure becomes `error`, so one bad run cannot stop a pool. */
    runTask(task: RunTask): RunTaskResult {
      const start = performance.now();
      try {
        const valid = validConfig(task.config, `task "${task.id}"`);
        const seed = checkInteger('seed', task.seed, MAX_SEED);
        const years = checkInteger('years', task.years, MAX_YEARS);
        const track = validTrack(task.track, `task "${task.id}"`);
        const frameYears = validFrameYears(task.frameYears, `task "${task.id}"`);
        const opts = { seed, years, ...startOf(valid, seed, years), ...(frameYears ? { frameYears } : {}) };
        if (!track.length) {
          const result = runScenario(valid, opts);
          return { id: task.id, result, ms: performance.now() - start };
        }
        const { result, tracked } = runTracked(valid, { ...opts, track });
        return { id: task.id, result, tracked, ms: performance.now() - start };
      } catch (err) {
        return { id: task.id, error: describeError(err), ms: performance.now() - start };
      }
    },

    /**
     * Starts an interactive run (the browser lab) and returns its session id; `track` as in a
     * `RunTask`.
     */
    open(config: ScenarioConfig, seed: number, track?: ScenarioConfig[]): number {
      const valid = validConfig(config, 'config');
      const s = checkInteger('seed', seed, MAX_SEED);
      const sim = createSimulation(valid, { seed: s, world: startWorld(valid, s), track: validTrack(track, 'config') });
      const id = nextSession++;
      sessions.set(id, sim);
      opened.set(id, { config: valid, seed });
      return id;
    },

    /** Advances a session `ticks` quarters and reports where it is. */
    step(id: number, ticks: number): StepResult {
      const sim = session(id);
      sim.step(checkInteger('ticks', ticks, Number.MAX_SAFE_INTEGER));
      return stepResult(sim);
    },

    /**
     * `step` and then `snapshot` in one call: what the lab asks for every year, in one round trip
     * (the page answers a worker's message only between its own tasks).
     */
    stepAndSnapshot(id: number, ticks: number): StepResult & { snapshot: Snapshot } {
      const sim = session(id);
      sim.step(checkInteger('ticks', ticks, Number.MAX_SAFE_INTEGER));
      const snap = sim.snapshot();
      const out = { ...stepResult(sim), snapshot: snap };
      return transfer(out, snapshotTransferables(snap));
    },

    /** The session's map layers, passed through the `transfer` hook with their buffers. */
    snapshot(id: number): Snapshot {
      const snap = session(id).snapshot();
      return transfer(snap, snapshotTransferables(snap));
    },

    /**
     * The session's result at its current year: the JSON `run` gives for a run of that length; of
     * the configuration it tracks at index `tracked`, when given.
     */
    result(id: number, tracked?: number): RunResult {
      return resultNow(id, trackedIndex(tracked));
    },

    /**
     * The session's result without its yearly series: what a comparison's aggregation reads
     * (\`final\`, \`did\`, \`version\`), small enough to pass to the page at no cost.
     */
    summary(id: number, tracked?: number): RunResult {
      return { ...resultNow(id, trackedIndex(tracked)), series: [] };
    },

    /**
     * FNV-1a (32 bits) of \`JSON.stringify(result(id))\`, continued from the hash state \`state\`:
     * chained over sessions, it fingerprints their results to the last digit without sending them.
     */
    digest(id: number, state: number, tracked?: number): number {
      return fnv1a(JSON.stringify(resultNow(id, trackedIndex(tracked))), checkInteger('state', state, 0xffffffff));
    },

    /** Where the neighbourhoods are: coordinates (cell widths) and, for a grid, its size. */
    geography(id: number): { n: number; x: Float64Array; y: Float64Array; width: number; height: number; names?: string[] } {
      const g = session(id).world.geo;
      return { n: g.n, x: g.x.slice(), y: g.y.slice(), width: g.width, height: g.height, ...(g.names ? { names: [...g.names] } : {}) };
    },

    /** The households living in a cell now (at most `limit`). */
    households(id: number, cell: number, limit = 500): HouseholdSummary[] {
      return householdsIn(session(id).world, cell, checkInteger('limit', limit, 1_000_000));
    },

    /** One household's moves with their reasons, and its state now. */
    history(id: number, household: number): HouseholdHistory {
      return householdHistory(session(id).world, checkInteger('household', household, 2 ** 31 - 1));
    },

    /**
     * Where the households that moved out of the target since the start went (buffers
     * transferred); out of the target of the configuration tracked at index `tracked`, when given.
     */
    displacement(id: number, tracked?: number): Displacement {
      const w = session(id).world;
      const i = trackedIndex(tracked);
      const t = i < 0 ? null : w.trackers[i];
      if (i >= 0 && !t) throw new RangeError(`tracked: no configuration at index ${i} (the session follows ${w.trackers.length})`);
      const d = displacement(t ? trackerView(w, t) : w);
      return transfer(d, [d.allTo.buffer as ArrayBuffer, d.forcedTo.buffer as ArrayBuffer]);
    },

    /** Frees a session; `false` if it was not open (closing twice is harmless). */
    close(id: number): boolean {
      opened.delete(id);
      return sessions.delete(id);
    },
  };
}

/** The API without transfer: for in-process callers and as the shape every host exposes. */
export const api = createApi();

export type Api = typeof api;
