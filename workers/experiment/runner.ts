/**
 * `regensim experiment`: runs a plan's runs (or one shard's share) on the worker_threads pool and
 * streams each finished run into the store.
 *
 * - Memory stays flat: at most a few runs per worker are in flight; a result is written and
 *   dropped as soon as it arrives, never collected.
 * - A run's rows depend only on its configuration and seed, never on the number of workers or on
 *   which run finished first: rows are keyed by run id, and exports sort them.
 * - A run that throws is recorded 'failed' with its message and the experiment goes on.
 * - `--resume` reopens the store, refuses a different spec (or shard), and runs only what is still
 *   pending.
 */
import { accessSync, constants, mkdirSync, statfsSync } from 'node:fs';
import { ConfigError } from '../../sim/config/load.ts';
import type { RunTask } from '../api.ts';
import { createPool, defaultPoolSize, type Pool } from '../pool.ts';
import { spinUpKey } from '../../sim/simulation.ts';
import { runConfig, shardRuns, type ExperimentPlan, type PlannedRun } from './spec.ts';
import {
  STORE_FILE,
  closeStore,
  countRuns,
  createRecorder,
  createStore,
  hasStore,
  manifestFor,
  manifestOf,
  openStore,
  removeStoreFiles,
  storePath,
  type Db,
  type StoreCounts,
} from './store.ts';

export interface Shard {
  index: number;
  count: number;
}

export interface RunnerOptions {
  out: string;
  workers?: number;
  shard?: Shard | null;
  resume?: boolean;
  /** Progress and log lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Rewrites one progress line in place (a TTY); without it, plain log lines are written. */
  progress?: (line: string) => void;
  /** Called after each run is recorded, with the runs done in this execution and how many it has. */
  onRun?: (done: number, total: number) => void;
  /** Set to stop early (SIGINT/SIGTERM): no new run starts, runs in flight are dropped. */
  signal?: AbortSignal;
}

export interface RunnerReport {
  /** Runs of this shard (or the whole experiment), by status, after this execution. */
  counts: StoreCounts;
  /** Runs executed by this invocation. */
  ran: number;
  /** Failed runs recorded by this invocation. */
  failedNow: number;
  skipped: number;
  workers: number;
  stopped: boolean;
  seconds: number;
}

/** Bytes a run's rows take in the store, roughly (SQLite long rows with their keys), for the space check. */
const BYTES_PER_ROW = 64;

function shardLabel(shard: Shard | null | undefined): string {
  return shard ? `${shard.index}/${shard.count}` : 'all';
}

/** Metric rows one run writes at most: kept years × blocks × metrics per block (about 30). */
function rowsPerRun(plan: ExperimentPlan): number {
  const m = plan.spec.metrics;
  const years = Math.floor(plan.years / m.every) + 2;
  return years * m.regions.length * (m.names?.length ?? 30);
}

/**
 * Checks the output directory before anything runs: it can be created, written, and holds the
 * store's estimated size. Each problem is a ConfigError naming --out.
 */
export function preflight(out: string, plan: ExperimentPlan, runs: number): void {
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new ConfigError(`--out ${out}: cannot create the output directory: ${(err as Error).message}.`, '--out');
  }
  try {
    accessSync(out, constants.W_OK);
  } catch {
    throw new ConfigError(`--out ${out}: the output directory is not writable.`, '--out');
  }
  const need = runs * rowsPerRun(plan) * BYTES_PER_ROW + 1_000_000;
  let free = Infinity;
  try {
    const s = statfsSync(out);
    free = s.bavail * s.bsize;
  } catch {
    // A file system without statfs: the transaction of each run still fails cleanly when full.
  }
  if (free < need) {
    throw new ConfigError(
      `--out ${out}: not enough free space: the results need about ${(need / 1e6).toFixed(1)} MB, ` +
        `${(free / 1e6).toFixed(1)} MB are free. Free some space or choose another --out.`,
      '--out',
    );
  }
}

/** Opens the store of `--resume`, refusing one made from another spec or for another shard. */
function reopen(out: string, plan: ExperimentPlan, shard: Shard | null | undefined): Db {
  const db = openStore(out);
  const m = manifestOf(db);
  if (m.specHash !== plan.specHash) {
    closeStore(db);
    throw new ConfigError(
      `--resume: ${out} holds the results of a different experiment (spec hash ${m.specHash}, this spec ${plan.specHash}: ` +
        'the spec, its scenario or an override changed). Resume with the spec it was started with, or choose another --out.',
      '--resume',
    );
  }
  if (m.shard !== shardLabel(shard)) {
    closeStore(db);
    throw new ConfigError(
      `--resume: ${out} was started ${m.shard === 'all' ? 'without --shard' : `as --shard ${m.shard}`}, ` +
        `not ${shard ? `as --shard ${shardLabel(shard)}` : 'without --shard'}; resume it the same way.`,
      '--resume',
    );
  }
  return db;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Opens (or creates) the store and runs every pending run of this shard. */
export async function runExperiment(plan: ExperimentPlan, opts: RunnerOptions): Promise<RunnerReport> {
  const t0 = performance.now();
  const shard = opts.shard ?? null;
  const log = opts.log ?? (() => {});
  const mine = shardRuns(plan.runs, shard);
  const inShard = (run: number) => !shard || run % shard.count === shard.index;

  let db: Db;
  if (hasStore(opts.out)) {
    if (!opts.resume) {
      throw new ConfigError(
        `--out ${opts.out} already holds an experiment (${STORE_FILE}); add --resume to finish it, or choose another --out.`,
        '--out',
      );
    }
    db = reopen(opts.out, plan, shard);
  } else {
    preflight(opts.out, plan, mine.length);
    try {
      db = createStore(opts.out, plan, manifestFor(plan, { shard: shardLabel(shard) }));
    } catch (err) {
      removeStoreFiles(opts.out);
      throw new ConfigError(`--out ${opts.out}: cannot write the experiment store: ${(err as Error).message}.`, '--out');
    }
  }

  const pendingIds = new Set(
    (db.prepare("SELECT run FROM runs WHERE status = 'pending' ORDER BY run").all() as { run: number }[])
      .map((r) => r.run)
      .filter(inShard),
  );
  // Dispatched replication by replication, then point and policy: runs with one seed and city go
  // out together, so a worker that has just spun up that city starts the next run from a copy of
  // it (workers/api.ts) instead of spinning it up again. Rows are keyed by run id and do not
  // depend on this order.
  const toRun = mine.filter((r) => pendingIds.has(r.run)).sort((a, b) => a.replication - b.replication || a.run - b.run);
  const skipped = mine.length - toRun.length;
  const size = Math.max(1, Math.min(opts.workers ?? defaultPoolSize(), Math.max(1, toRun.length)));
  const record = createRecorder(db, plan.spec.metrics);
  const points = new Map(plan.points.map((p) => [p.point, p]));

  log(
    `experiment ${plan.name}: ${mine.length} runs${shard ? ` in shard ${shardLabel(shard)} of ${plan.runs.length}` : ''}` +
      `${skipped ? `, ${skipped} already recorded` : ''}, ${toRun.length} to run on ${size} worker${size > 1 ? 's' : ''} → ${storePath(opts.out)}`,
  );

  let ran = 0;
  let failedNow = 0;
  let stopped = false;
  let lastLog = performance.now();
  let nextMark = 1;
  const report = () => {
    const elapsed = (performance.now() - t0) / 1000;
    const rate = ran / Math.max(elapsed, 1e-9);
    const eta = ran ? (toRun.length - ran) / rate : Infinity;
    const line = `runs ${skipped + ran}/${mine.length} done, ${failedNow} failed, ${(rate * 3600).toFixed(0)} runs/h, ETA ${duration(eta)}`;
    if (opts.progress) {
      opts.progress(line);
    } else {
      // Plain lines for logs and batch jobs: every tenth of the way, or every 30 s.
      const now = performance.now();
      if (ran >= (nextMark * toRun.length) / 10 || now - lastLog > 30_000 || ran === toRun.length) {
        while (ran >= (nextMark * toRun.length) / 10) nextMark++;
        lastLog = now;
        log(line);
      }
    }
  };

  // Lanes: one single-worker pool each, one run in flight per lane. Runs that share a seed and a
  // city share a spin-up when they run on the same worker (workers/api.ts keeps the last city it
  // spun up), so a free lane takes, in plan order, the next run of the city it holds; else the
  // first run of a city no other lane holds; else (the tail of the experiment) the first run left,
  // which spins its city up a second time rather than leave a worker idle — the rule of the pool's
  // `pickTask`. Fixed groups, cut to keep every lane busy, split a seed's runs between workers
  // whenever an experiment had few runs per worker (8 runs on 2 workers: 8 spin-ups, not 4).
  // Only where a run runs depends on this, never what it records.
  const byCity = new Map<string, PlannedRun[]>();
  {
    const cityKey = new Map<number, string>();
    for (const run of toRun) {
      let city = cityKey.get(run.point);
      if (city === undefined) {
        // The spin-up does not depend on the policy: one key per design point.
        city = spinUpKey(runConfig(plan, points.get(run.point)!, plan.spec.policies[0]!), 0);
        cityKey.set(run.point, city);
      }
      const key = `${run.seed}|${city}`;
      let list = byCity.get(key);
      if (!list) byCity.set(key, (list = []));
      list.push(run);
    }
  }
  const takeRun = affinityQueue(byCity);
  // Only the years the store keeps are computed (metrics.every; the first and last always are).
  const every = plan.spec.metrics.every;
  const frames = every > 1 ? { frameYears: Array.from({ length: Math.floor(plan.years / every) + 1 }, (_, i) => i * every) } : {};
  const lanes = toRun.length ? Array.from({ length: size }, () => createPool(1)) : [];
  const runOne = async (pool: Pool, run: PlannedRun): Promise<void> => {
    const task: RunTask = { id: String(run.run), config: runConfig(plan, points.get(run.point)!, run.policy), seed: run.seed, years: plan.years, ...frames };
    const [r] = await pool.runAll([task]);
    if (stopped) return;
    const startedAt = new Date(Date.now() - r!.ms).toISOString();
    try {
      record({ run: run.run, result: r!.result, error: r!.error, startedAt, ms: r!.ms });
    } catch (err) {
      throw new Error(`cannot record run ${run.run} in ${storePath(opts.out)}: ${(err as Error).message}`);
    }
    ran++;
    if (r!.error !== undefined) {
      failedNow++;
      log(`run ${run.run} (point ${run.point}, ${run.policy}, seed ${run.seed}) failed: ${r!.error}`);
    }
    report();
    opts.onRun?.(ran, toRun.length);
  };
  const lane = async (pool: Pool, laneId: number): Promise<void> => {
    while (!stopped) {
      const run = takeRun(laneId);
      if (!run) return;
      await runOne(pool, run);
    }
  };
  let finalCounts: StoreCounts;
  try {
    if (lanes.length) {
      // Stopping drops the runs in flight (closing the pools ends them): they stay pending, and
      // --resume runs them again from the start.
      const aborted = new Promise<void>((resolve) => {
        const onAbort = () => {
          stopped = true;
          resolve();
        };
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const work = Promise.all(lanes.map((pool, i) => lane(pool, i)));
      // If one lane fails (the store cannot be written), the others stop taking runs.
      work.catch(() => (stopped = true));
      await Promise.race([work, aborted]);
    }
  } finally {
    await Promise.all(lanes.map((p) => p.close()));
    finalCounts = countRuns(db, inShard);
    closeStore(db);
    opts.progress?.('');
  }
  return {
    counts: finalCounts,
    ran,
    failedNow,
    skipped,
    workers: size,
    stopped,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Hands out the runs of `byCity` (a city's runs under its key, cities and runs in plan order) to
 * lanes that ask one run at a time: the next run of the city the lane holds; else the first run of
 * a city no other lane holds; else the first run left (the experiment's tail: a second spin-up of
 * that city rather than an idle worker). Returns undefined when every run has been handed out.
 */
export function affinityQueue<T>(byCity: ReadonlyMap<string, readonly T[]>): (lane: number) => T | undefined {
  const cities = [...byCity.keys()];
  const nextOf = new Map<string, number>(cities.map((c) => [c, 0]));
  const held = new Map<number, string>();
  const left = (c: string): boolean => nextOf.get(c)! < byCity.get(c)!.length;
  let firstOpen = 0;
  return (lane) => {
    while (firstOpen < cities.length && !left(cities[firstOpen]!)) firstOpen++;
    let city = held.get(lane);
    if (city === undefined || !left(city)) {
      const others = new Set<string>();
      for (const [id, c] of held) if (id !== lane) others.add(c);
      city = undefined;
      for (let i = firstOpen; i < cities.length && city === undefined; i++) {
        if (left(cities[i]!) && !others.has(cities[i]!)) city = cities[i];
      }
      if (city === undefined && firstOpen < cities.length) city = cities[firstOpen];
      if (city === undefined) return undefined;
      held.set(lane, city);
    }
    const i = nextOf.get(city)!;
    nextOf.set(city, i + 1);
    return byCity.get(city)![i];
  };
}
