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
import { createSimulation, resultOf, runScenario, runTracked, spinUp, spinUpKey, trackedResultOf, type Checkpoint, type Simulation } from '../sim/simulation.ts';
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

function stepResult(sim: Pick<Simulation, 'year' | 'tick' | 'series' | 'tracked'>): StepResult {
  return { year: sim.year, tick: sim.tick, frame: sim.series[sim.series.length - 1]!, tracked: sim.tracked.map((t) => t.series[t.series.length - 1]!) };
}

/**
 * An open session. One opened with the run's length (`open`'s `years`) may start from the shared
 * checkpoint at its programme's start, ahead of its caller: `ahead` then holds the quarter the
 * caller has reached and the layers of the years before the start, and the session answers for
 * those years from them and from its frames, exactly as a session stepped from year 0 would.
 */
interface Session {
  sim: Simulation;
  config: ScenarioConfig;
  seed: number;
  track: ScenarioConfig[];
  ahead: { tick: number; snapshots: readonly Snapshot[] } | null;
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
  const sessions = new Map<number, Session>();
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
  // A run resumed from it reports exactly what it would from year 0. The map layers of each year
  // up to the start are kept with it, for the lab's sessions (`open` with `years`).
  let started: { key: string; checkpoint: Checkpoint; snapshots: Snapshot[] } | null = null;
  const resumable = (config: ScenarioConfig, years: number): boolean =>
    config.model !== 'schelling' && config.policy.startYear > 0 && years >= config.policy.startYear;
  const startedOf = (config: ScenarioConfig, seed: number): { checkpoint: Checkpoint; snapshots: Snapshot[] } => {
    const key = `${spinUpKey(config, seed)}|start ${config.policy.startYear}`;
    if (started?.key !== key) {
      // `runToStart` a year at a time, so that each year's layers can be read on the way: reading
      // them changes nothing, and the checkpoint is the one `runToStart` returns.
      const sim = createSimulation(config, { seed, world: startWorld(config, seed) });
      const snapshots = [sim.snapshot()];
      for (let y = 0; y < config.policy.startYear; y++) {
        sim.step(4);
        snapshots.push(sim.snapshot());
      }
      started = { key, checkpoint: sim.checkpoint(), snapshots };
    }
    return started;
  };
  const startOf = (config: ScenarioConfig, seed: number, years: number): { world: World } | { from: Checkpoint } =>
    resumable(config, years) ? { from: startedOf(config, seed).checkpoint } : { world: startWorld(config, seed) };

  const session = (id: number): Session => {
    const s = sessions.get(id);
    if (!s) throw new RangeError(`no open session ${String(id)} (never opened, or closed).`);
    return s;
  };
  /** The session's simulation at the quarter its caller has reached (rebuilt there if it ran ahead). */
  const live = (id: number): Simulation => {
    const s = session(id);
    if (s.ahead) catchUp(s);
    return s.sim;
  };
  /**
   * A session that starts ahead of its caller (at its programme's start) becomes an ordinary one
   * at the quarter the caller has reached: run again from year 0 to there. Only what the years
   * before the start cannot answer from their frames and layers asks for it (the households, a
   * quarter within a year); it costs at most those years.
   */
  const catchUp = (s: Session): void => {
    const shown = s.ahead!.tick;
    s.ahead = null;
    if (shown === s.sim.tick) return;
    s.sim = createSimulation(s.config, { seed: s.seed, world: startWorld(s.config, s.seed), track: s.track });
    s.sim.step(shown);
  };
  /** Advances a session `ticks` quarters: first through the years it already holds, then the engine. */
  const advance = (s: Session, ticks: number): void => {
    if (s.ahead) {
      const skip = Math.min(ticks, s.sim.tick - s.ahead.tick);
      s.ahead.tick += skip;
      ticks -= skip;
      if (s.ahead.tick === s.sim.tick || s.ahead.tick % 4 !== 0) catchUp(s);
    }
    if (ticks > 0) s.sim.step(ticks);
  };
  /**
   * What a session looks like at the quarter its caller has reached: itself, or, while it is ahead,
   * its frames up to the caller's year (before the programme's start there is no baseline yet).
   */
  const view = (s: Session): Pick<Simulation, 'year' | 'tick' | 'series' | 'baseline' | 'tracked'> => {
    if (!s.ahead) return s.sim;
    const { tick } = s.ahead;
    const year = tick / 4;
    return {
      year,
      tick,
      series: s.sim.series.slice(0, year + 1),
      baseline: null,
      tracked: s.sim.tracked.map((t) => ({ ...t, series: t.series.slice(0, year + 1) })),
    };
  };
  const snapshotOf = (s: Session): Snapshot => (s.ahead ? structuredClone(s.ahead.snapshots[s.ahead.tick / 4]!) : s.sim.snapshot());

  /** The session's own result (`tracked` −1) or that of the configuration it tracks at that index. */
  const resultNow = (id: number, tracked: number): RunResult => {
    const s = session(id);
    const v = view(s);
    return tracked < 0 ? resultOf(v, s.config, s.seed) : trackedResultOf(v, tracked, s.seed);
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
     * `RunTask`; `years`, how long the run will be, when known (it lets the session start from the
     * shared checkpoint at its programme's start; what it reports is the same either way).
     */
    open(config: ScenarioConfig, seed: number, track?: ScenarioConfig[], years?: number): number {
      const valid = validConfig(config, 'config');
      const s = checkInteger('seed', seed, MAX_SEED);
      const t = validTrack(track, 'config');
      // Given the run's length, a session that will reach its programme's start starts there, from
      // the checkpoint this worker's sessions of the city and seed share (`startedOf`): the years
      // before the start run once a worker, not once a session, and before the caller asks for them.
      let session: Session;
      if (years !== undefined && resumable(valid, checkInteger('years', years, MAX_YEARS))) {
        const { checkpoint, snapshots } = startedOf(valid, s);
        const sim = createSimulation(valid, { seed: s, from: checkpoint, track: t });
        session = { sim, config: valid, seed: s, track: t, ahead: { tick: 0, snapshots } };
      } else {
        session = { sim: createSimulation(valid, { seed: s, world: startWorld(valid, s), track: t }), config: valid, seed: s, track: t, ahead: null };
      }
      const id = nextSession++;
      sessions.set(id, session);
      return id;
    },

    /** Advances a session `ticks` quarters and reports where it is. */
    step(id: number, ticks: number): StepResult {
      const s = session(id);
      advance(s, checkInteger('ticks', ticks, Number.MAX_SAFE_INTEGER));
      return stepResult(view(s));
    },

    /**
     * `step` and then `snapshot` in one call: what the lab asks for every year, in one round trip
     * (the page answers a worker's message only between its own tasks).
     */
    stepAndSnapshot(id: number, ticks: number): StepResult & { snapshot: Snapshot } {
      const s = session(id);
      advance(s, checkInteger('ticks', ticks, Number.MAX_SAFE_INTEGER));
      const snap = snapshotOf(s);
      const out = { ...stepResult(view(s)), snapshot: snap };
      return transfer(out, snapshotTransferables(snap));
    },

    /** The session's map layers, passed through the `transfer` hook with their buffers. */
    snapshot(id: number): Snapshot {
      const snap = snapshotOf(session(id));
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
      const g = session(id).sim.world.geo;
      return { n: g.n, x: g.x.slice(), y: g.y.slice(), width: g.width, height: g.height, ...(g.names ? { names: [...g.names] } : {}) };
    },

    /** The households living in a cell now (at most `limit`). */
    households(id: number, cell: number, limit = 500): HouseholdSummary[] {
      return householdsIn(live(id).world, cell, checkInteger('limit', limit, 1_000_000));
    },

    /** One household's moves with their reasons, and its state now. */
    history(id: number, household: number): HouseholdHistory {
      return householdHistory(live(id).world, checkInteger('household', household, 2 ** 31 - 1));
    },

    /**
     * Where the households that moved out of the target since the start went (buffers
     * transferred); out of the target of the configuration tracked at index `tracked`, when given.
     */
    displacement(id: number, tracked?: number): Displacement {
      const w = live(id).world;
      const i = trackedIndex(tracked);
      const t = i < 0 ? null : w.trackers[i];
      if (i >= 0 && !t) throw new RangeError(`tracked: no configuration at index ${i} (the session follows ${w.trackers.length})`);
      const d = displacement(t ? trackerView(w, t) : w);
      return transfer(d, [d.allTo.buffer as ArrayBuffer, d.forcedTo.buffer as ArrayBuffer]);
    },

    /** Frees a session; `false` if it was not open (closing twice is harmless). */
    close(id: number): boolean {
      return sessions.delete(id);
    },
  };
}

/** The API without transfer: for in-process callers and as the shape every host exposes. */
export const api = createApi();

export type Api = typeof api;
