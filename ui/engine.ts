/**
 * The lab's engine host: one module Web Worker per core, each serving the worker API
 * (workers/api.ts) through comlink, and the sessions of a comparison spread over them. The page
 * only sends small calls and receives frames and transferred snapshots, so it never blocks on the
 * simulation.
 *
 * A worker that crashes (an uncaught error, or it stops answering because the browser killed it)
 * is terminated and replaced; its sessions are opened again with the same configuration and seed
 * and stepped back to where they were. The engine is deterministic, so the replayed sessions are
 * the ones that were lost, and the calls that were in flight are simply made again.
 */
import * as Comlink from 'comlink';
import type { Api, RunTask } from '../workers/api.ts';
import type { Displacement, HouseholdHistory, HouseholdSummary } from '../sim/inspect.ts';
import type { RunResult, Snapshot, YearFrame } from '../sim/types.ts';
import { FNV_BASIS, fnv1a } from '../sim/rng.ts';

export interface Geography {
  n: number;
  x: Float64Array;
  y: Float64Array;
  width: number;
  height: number;
  names?: string[];
}

/** Raised to the caller of a call that a crash interrupted (before it is retried). */
class WorkerCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrash';
  }
}

interface Slot {
  index: number;
  worker: Worker;
  remote: Comlink.Remote<Api>;
  /** Rejects when this generation of the worker crashes. */
  crashed: Promise<never>;
  crash: (err: WorkerCrash) => void;
  /** Resolves when the slot is usable (after a restart: once its sessions are replayed). */
  ready: Promise<void>;
  generation: number;
}

interface Session {
  task: RunTask;
  slot: number;
  /** Session id inside the slot's current worker. */
  id: number;
  /** Quarters stepped so far (what a replay must reach). */
  tick: number;
}

export interface EngineEvents {
  /** A worker crashed and was restarted; its sessions were replayed to where they were. */
  onCrash(message: string): void;
}

/**
 * What a comparison reads (workers/compare-plan.ts, `ComparePlan.outputs`): a session's own run
 * (`tracked` −1) or a configuration the session follows (`RunTask.track`).
 */
export interface Output {
  task: number;
  tracked: number;
}

export interface Engine {
  readonly size: number;
  /** How many workers the open comparison runs on (`workersFor`). */
  readonly inUse: number;
  /** Opens one session per task (closing any previous ones); `outputs` says what the results are. */
  open(tasks: RunTask[], outputs: Output[]): Promise<void>;
  /** Steps every session one year; returns each output's frame and each session's snapshot. */
  stepYear(): Promise<{ frames: YearFrame[]; snapshots: Snapshot[] }>;
  /** Each output's result, in output order. */
  results(): Promise<RunResult[]>;
  /** Each output's result without its series (what `aggregate` reads), in output order. */
  summaries(): Promise<RunResult[]>;
  /** FNV-1a of the outputs' results as JSON, joined by newlines, computed in the workers: 8 hex digits. */
  fingerprint(): Promise<string>;
  /** Each session's map layers, in task order. */
  snapshots(): Promise<Snapshot[]>;
  geography(session: number): Promise<Geography>;
  households(session: number, cell: number): Promise<HouseholdSummary[]>;
  history(session: number, household: number): Promise<HouseholdHistory>;
  /** Where the households displaced from an output's target went. */
  displacement(output: number): Promise<Displacement>;
  /** The worker of a slot, for tests that need to break one. */
  worker(slot: number): Worker;
  terminate(): void;
}

/** Restarts of one worker slot before the lab gives up on it. */
const MAX_RESTARTS = 5;

/**
 * One worker per core and one more, at most eight. Runs advance in lockstep, a year at a time, so
 * with one worker per core the most loaded worker sets the pace (5 runs on 2 workers: 3 runs'
 * time a year); one more worker lets the pace approach total work / cores (5 runs on 3 workers:
 * 2.5). Not more: each worker settles its own copy of the seed's city in (the spin-up). A
 * comparison uses fewer when that is as fast (`workersFor`).
 */
export function defaultWorkers(): number {
  return Math.max(2, Math.min(8, (navigator.hardwareConcurrency || 2) + 1));
}

/**
 * How many of the workers a comparison of `runs` runs uses. Runs advance in lockstep, so a year
 * takes the longer of the most loaded worker's runs and all runs shared over the cores; among the
 * counts that reach the least, the smallest, since every worker used spins the city up once. 4 runs
 * on 2 cores: 2 workers (2 runs' time a year either way, one spin-up fewer than 3); 5 runs: 3.
 */
export function workersFor(runs: number, cores: number, size: number): number {
  let best = 1;
  let bestTime = Infinity;
  for (let k = 1; k <= Math.min(size, Math.max(1, runs)); k++) {
    const time = Math.max(Math.ceil(runs / k), runs / Math.max(1, cores));
    if (time < bestTime - 1e-9) {
      best = k;
      bestTime = time;
    }
  }
  return best;
}

export function createEngine(events: EngineEvents, size = defaultWorkers()): Engine {
  const slots: Slot[] = [];
  let sessions: Session[] = [];
  let outputs: Output[] = [];
  /** Runs `f` for each output on its session's worker, in output order. */
  const perOutput = <T>(f: (remote: Comlink.Remote<Api>, id: number, tracked: number) => Promise<T>): Promise<T[]> =>
    Promise.all(outputs.map((o) => call(sessions[o.task]!, (r, id) => f(r, id, o.tracked))));

  function start(index: number, generation: number): Slot {
    const worker = new Worker(new URL('../workers/browser-worker.ts', import.meta.url), { type: 'module', name: `regensim-${index}` });
    let crash: (err: WorkerCrash) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      crash = reject;
    });
    // Nobody may be waiting when it rejects.
    crashed.catch(() => {});
    const slot: Slot = { index, worker, remote: Comlink.wrap<Api>(worker), crashed, crash, ready: Promise.resolve(), generation };
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      restart(slot, e.message || 'the worker failed to load or threw an uncaught error');
    });
    worker.addEventListener('messageerror', () => restart(slot, 'a message from the worker could not be read'));
    return slot;
  }

  function restart(old: Slot, why: string): void {
    if (slots[old.index] !== old) return; // already replaced
    old.worker.terminate();
    if (old.generation >= MAX_RESTARTS) {
      // A worker that keeps failing (its script does not load, or every replay crashes it) is
      // not restarted again: calls on it fail with the reason instead of looping.
      old.crash(new Error(`the engine worker failed ${MAX_RESTARTS + 1} times (last: ${why}); reload the page.`) as WorkerCrash);
      old.ready = Promise.reject(new Error(`the engine worker failed: ${why}`));
      old.ready.catch(() => {});
      events.onCrash(`The engine worker ${old.index + 1} failed ${MAX_RESTARTS + 1} times (last: ${why}) and was not restarted; reload the page.`);
      return;
    }
    old.crash(new WorkerCrash(why));
    const fresh = start(old.index, old.generation + 1);
    slots[old.index] = fresh;
    const mine = sessions.filter((s) => s.slot === old.index);
    fresh.ready = (async () => {
      for (const s of mine) {
        s.id = await fresh.remote.open(s.task.config, s.task.seed, s.task.track);
        if (s.tick > 0) await fresh.remote.step(s.id, s.tick);
      }
    })();
    fresh.ready.then(
      () => events.onCrash(`The engine worker ${old.index + 1} stopped (${why}). It was restarted and its ${mine.length} run${mine.length === 1 ? '' : 's'} replayed to where ${mine.length === 1 ? 'it was' : 'they were'}; nothing was lost.`),
      (err: unknown) => events.onCrash(`The engine worker ${old.index + 1} stopped (${why}) and could not be restarted: ${String(err)}.`),
    );
  }

  /** Runs `f` on a session's worker; when that worker crashes meanwhile, waits for the replay and retries. */
  async function call<T>(session: Session, f: (remote: Comlink.Remote<Api>, id: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const slot = slots[session.slot]!;
      await slot.ready;
      if (slots[session.slot] !== slot) continue;
      try {
        return await Promise.race([f(slot.remote, session.id), slot.crashed]);
      } catch (err) {
        if (!(err instanceof WorkerCrash)) throw err;
      }
    }
    throw new Error('the engine worker kept crashing; reload the page.');
  }

  for (let i = 0; i < size; i++) slots.push(start(i, 0));

  let inUse = 0;
  const engine: Engine = {
    size,
    get inUse() {
      return inUse;
    },
    async open(tasks, wanted) {
      const old = sessions;
      sessions = [];
      outputs = wanted;
      await Promise.all(old.map((s) => call(s, (r, id) => r.close(id)).catch(() => false)));
      // Contiguous blocks: the plan lists a seed's runs together, and a worker that has settled a
      // seed's city in starts its next run of that seed from a copy (workers/api.ts).
      const used = workersFor(tasks.length, navigator.hardwareConcurrency || 2, size);
      inUse = used;
      sessions = tasks.map((task, i) => ({ task, slot: Math.floor((i * used) / tasks.length), id: -1, tick: 0 }));
      await Promise.all(
        sessions.map(async (s) => {
          s.id = await call(s, (r) => r.open(s.task.config, s.task.seed, s.task.track));
        }),
      );
    },
    async stepYear() {
      const out = await Promise.all(
        sessions.map(async (s) => {
          const { snapshot: snap, ...step } = await call(s, (r, id) => r.stepAndSnapshot(id, 4));
          s.tick = step.tick;
          return { step, snap };
        }),
      );
      return {
        frames: outputs.map((o) => (o.tracked < 0 ? out[o.task]!.step.frame : out[o.task]!.step.tracked[o.tracked]!)),
        snapshots: out.map((o) => o.snap),
      };
    },
    results: () => perOutput((r, id, tracked) => r.result(id, tracked)),
    summaries: () => perOutput((r, id, tracked) => r.summary(id, tracked)),
    async fingerprint() {
      let h = FNV_BASIS;
      for (const [i, o] of outputs.entries()) {
        if (i > 0) h = fnv1a('\n', h); // between two results
        const from = h;
        h = await call(sessions[o.task]!, (r, id) => r.digest(id, from, o.tracked));
      }
      return h.toString(16).padStart(8, '0');
    },
    snapshots: () => Promise.all(sessions.map((s) => call(s, (r, id) => r.snapshot(id)))),
    geography: (i) => call(sessions[i]!, (r, id) => r.geography(id)),
    households: (i, cell) => call(sessions[i]!, (r, id) => r.households(id, cell, 300)),
    history: (i, hid) => call(sessions[i]!, (r, id) => r.history(id, hid)),
    displacement: (i) => call(sessions[outputs[i]!.task]!, (r, id) => r.displacement(id, outputs[i]!.tracked)),
    worker: (i) => slots[i]!.worker,
    terminate() {
      for (const s of slots) s.worker.terminate();
    },
  };
  return engine;
}
