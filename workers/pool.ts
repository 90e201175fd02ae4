/**
 * A pool of `worker_threads` workers that run batches of `RunTask`s for Node hosts (the
 * experiment runner, the CLI). Each worker serves the worker API (workers/api.ts) through comlink.
 *
 * Guarantees:
 * - results come back in task order (the index in the input), never in completion order, so what
 *   a caller writes does not depend on the number of workers or on timing (convention 11);
 * - a task that fails inside the engine comes back with `error`; a worker that dies (uncaught
 *   exception, `process.exit`, out of memory) is dropped, its task comes back with `error`, and a
 *   fresh worker takes the next task: a batch never hangs on a dead worker;
 * - a free worker takes a queued task of the city it has spun up before any other (`pickTask`),
 *   so that a seed's runs share one spin-up per worker;
 * - workers are referenced only while they run a task, so a pool that is never closed does not
 *   keep Node alive; `close()` terminates them all.
 *
 * Workers run the TypeScript sources, compiled once per process: the first worker bundles the
 * default entry (workers/node-worker.ts and everything it imports) with esbuild — the compiler tsx
 * itself runs on, installed with it — into one CommonJS script held in memory, and every worker
 * evaluates that script. No build step, no file written; a worker then starts without compiling
 * anything (about 0.35 CPU s instead of about 1 s, and no esbuild process to drive), and the
 * bundle is the same code that tsx would load, module by module. One cost: a stack trace from
 * inside a worker points into `workers/node-worker.bundle.cjs` (a name only; no such file), not
 * the `.ts` sources. What a failed task reports is its error's message, which does not change.
 *
 * Any other entry (a test's wrapper), or the default one if esbuild cannot be loaded, starts from
 * a small bootstrap (`eval: true`) that registers tsx's ESM hooks in the worker's own thread and
 * then imports the entry module (Node 20 cannot start a `.ts` file as a worker, and
 * `execArgv: ['--import', 'tsx']` is not applied inside workers).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { spinUpKey } from '../sim/simulation.ts';
import { api, type Api, type RunTask, type RunTaskResult } from './api.ts';

export type { RunTask, RunTaskResult } from './api.ts';

/** Called as each task finishes (in completion order), with how many are done out of how many. */
export type OnDone = (result: RunTaskResult, done: number, total: number) => void;

export interface Pool {
  /** The most workers this pool runs at once. */
  readonly size: number;
  /** Runs every task; resolves with one result per task, in the order of `tasks`. */
  runAll(tasks: RunTask[], onDone?: OnDone): Promise<RunTaskResult[]>;
  /** Terminates every worker. Tasks still queued or running come back with `error`. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /**
   * The worker's entry module: it must expose the worker API with comlink over the parent port.
   * The default is workers/node-worker.ts; a host can point at a compiled copy or a wrapper.
   */
  entry?: URL;
}

// The worker's first code. It uses only dynamic import(), which works whether Node evaluates it
// as CommonJS (the default) or as ESM (a parent started with `--input-type=module` passes that
// flag on to its workers, and `require` is then undefined). The URLs come absolute from the
// parent, because an eval worker resolves bare specifiers against the working directory, not
// against this package.
const BOOTSTRAP = `
import('node:worker_threads')
  .then(({ workerData }) => import(workerData.tsx)
    .then(({ register }) => { register(); return import(workerData.entry); }));
`;

// The same for the bundle of the default entry (below): a CommonJS script, run in the worker's
// context with a `require` of its own, so that it also runs where the worker evaluates ESM.
const BUNDLE_BOOTSTRAP = `
Promise.all([import('node:worker_threads'), import('node:module'), import('node:vm')])
  .then(([{ workerData }, { createRequire }, vm]) => {
    const module = { exports: {} };
    const run = vm.runInThisContext('(function (exports, require, module) {' + workerData.bundle + '\\n})', { filename: workerData.filename });
    run(module.exports, createRequire(workerData.filename), module);
  });
`;

const TSX_API = import.meta.resolve('tsx/esm/api');
const DEFAULT_ENTRY = new URL('./node-worker.ts', import.meta.url);

/** The part of esbuild's API used here (esbuild is tsx's compiler, resolved from tsx). */
interface Esbuild {
  buildSync(options: Record<string, unknown>): { outputFiles: { text: string }[] };
}

let bundled: string | null | undefined;

/**
 * The default entry and everything it imports as one CommonJS script (built on first use, then
 * kept for the life of the process), or null when esbuild cannot be loaded or the build fails:
 * workers then load the sources through tsx, which reports a compile error as it always did.
 */
export function workerBundle(): string | null {
  if (bundled !== undefined) return bundled;
  try {
    const esbuild = createRequire(fileURLToPath(TSX_API))('esbuild') as Esbuild;
    bundled = esbuild.buildSync({
      entryPoints: [fileURLToPath(DEFAULT_ENTRY)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node}`,
      // The ESM builds of the dependencies, as Node picks them when tsx loads the sources.
      mainFields: ['module', 'main'],
      conditions: ['import'],
      write: false,
      logLevel: 'silent',
    }).outputFiles[0]!.text;
  } catch {
    bundled = null;
  }
  return bundled;
}

const positiveInt = (raw: string | undefined): number | undefined =>
  raw !== undefined && /^\s*\d+\s*$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;

/**
 * The pool size when none is given: the CPUs Slurm granted to this task, else those it granted
 * on this node, else what Node reports (which on a shared node can exceed the allocation).
 */
export function defaultPoolSize(env: Record<string, string | undefined> = process.env): number {
  return positiveInt(env.SLURM_CPUS_PER_TASK) ?? positiveInt(env.SLURM_CPUS_ON_NODE) ?? availableParallelism();
}

/**
 * Starts one worker serving the worker API, and its comlink proxy. The pool uses this; a Node host
 * that wants sessions (`open`, `step`, `snapshot`) can use it directly. The worker stays
 * referenced (it keeps Node alive) until it is terminated or unreferenced.
 */
export function startWorker(entry: URL = DEFAULT_ENTRY): { worker: Worker; remote: Remote<Api> } {
  const bundle = entry.href === DEFAULT_ENTRY.href ? workerBundle() : null;
  const worker = bundle
    ? new Worker(BUNDLE_BOOTSTRAP, { eval: true, workerData: { bundle, filename: fileURLToPath(DEFAULT_ENTRY).replace(/\.ts$/, '.bundle.cjs') } })
    : new Worker(BOOTSTRAP, { eval: true, workerData: { tsx: TSX_API, entry: entry.href } });
  return { worker, remote: wrap<Api>(nodeEndpoint(worker)) };
}

interface Job {
  task: RunTask;
  /** The task's spun-up city (`spinUpKey`), '' when it cannot be told (a malformed task). */
  city: string;
  settle(result: RunTaskResult): void;
}

/**
 * Which queued task a free worker takes, given the queued tasks' cities (`spinUpKey`, '' when
 * unknown), the city the worker has spun up and those other workers hold: one of its own city,
 * else the first of a city no other worker holds, else the first. Each worker then spins a seed's
 * city up about once (runs of a comparison come seed by seed), where taking tasks strictly in turn
 * would have every worker spin up every seed. Only where a task runs changes, never its result.
 */
export function pickTask(queued: readonly string[], own: string | undefined, held: ReadonlySet<string>): number {
  let free = -1;
  for (let i = 0; i < queued.length; i++) {
    const city = queued[i]!;
    if (city && city === own) return i;
    if (free < 0 && !(city && held.has(city))) free = i;
  }
  return Math.max(free, 0);
}

function cityOf(task: RunTask): string {
  try {
    return spinUpKey(task.config, task.seed);
  } catch {
    return '';
  }
}

interface Slot {
  worker: Worker;
  remote: Remote<Api>;
  job?: Job;
  started: number;
  /** The city of the slot's last task: its worker keeps that city spun up (workers/api.ts). */
  city?: string;
  /** The uncaught error that killed the worker, reported with its task. */
  failure?: Error;
}

export function createPool(size?: number, options: PoolOptions = {}): Pool {
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
    throw new RangeError(`pool size must be a positive integer, got ${String(size)}.`);
  }
  const poolSize = size ?? defaultPoolSize();
  const entry = options.entry ?? DEFAULT_ENTRY;
  const queue: Job[] = [];
  const slots = new Set<Slot>();
  let closed = false;

  function spawn(): Slot {
    const { worker, remote } = startWorker(entry);
    const slot: Slot = { worker, remote, started: 0 };
    worker.on('error', (err) => {
      slot.failure = err;
    });
    worker.on('exit', (code) => {
      slots.delete(slot);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        const why = closed
          ? 'the pool was closed before the task finished'
          : `the worker running it died (${slot.failure ? String(slot.failure) : `exit code ${code}`})`;
        job.settle({ id: job.task.id, error: why, ms: performance.now() - slot.started });
      }
      // A replacement starts only if work is waiting for it.
      if (!closed) pump();
    });
    slots.add(slot);
    return slot;
  }

  function release(slot: Slot): void {
    slot.job = undefined;
    slot.worker.unref();
  }

  function dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.city = job.city;
    slot.started = performance.now();
    slot.worker.ref();
    slot.remote.runTask(job.task).then(
      (result) => {
        // A late answer from a worker whose task was already settled (closed or crashed) is dropped.
        if (slot.job !== job) return;
        release(slot);
        job.settle(result);
        pump();
      },
      (err: unknown) => {
        // runTask itself never throws; this is a task that could not be sent (not cloneable).
        if (slot.job !== job) return;
        release(slot);
        job.settle({ id: job.task.id, error: `the task could not be sent to a worker: ${String(err)}`, ms: 0 });
        pump();
      },
    );
  }

  function pump(): void {
    while (queue.length > 0) {
      let slot: Slot | undefined;
      for (const s of slots) {
        if (!s.job) {
          slot = s;
          break;
        }
      }
      if (!slot && slots.size < poolSize) slot = spawn();
      if (!slot) return;
      dispatch(slot, queue.splice(pick(slot), 1)[0]!);
    }
  }

  function pick(slot: Slot): number {
    const held = new Set<string>();
    for (const s of slots) if (s !== slot && s.city) held.add(s.city);
    return pickTask(queue.map((j) => j.city), slot.city, held);
  }

  return {
    size: poolSize,

    runAll(tasks, onDone) {
      if (closed) return Promise.reject(new Error('the pool is closed.'));
      const total = tasks.length;
      if (total === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        const results = new Array<RunTaskResult>(total);
        let done = 0;
        let failed = false;
        tasks.forEach((task, index) => {
          queue.push({
            task,
            city: cityOf(task),
            settle(result) {
              results[index] = result;
              done++;
              if (failed) return;
              try {
                onDone?.(result, done, total);
              } catch (err) {
                // A throwing progress callback fails the batch instead of escaping as an
                // unhandled rejection inside the pool's bookkeeping.
                failed = true;
                reject(err);
                return;
              }
              if (done === total) resolve(results);
            },
          });
        });
        pump();
      });
    },

    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        job.settle({ id: job.task.id, error: 'the pool was closed before the task started', ms: 0 });
      }
      await Promise.all([...slots].map((s) => s.worker.terminate()));
    },
  };
}

/**
 * The same batch without threads, one task after another in this thread, through the same API
 * (so validation and error results are the same as in a pool).
 */
export async function runInProcess(tasks: RunTask[], onDone?: OnDone): Promise<RunTaskResult[]> {
  const results: RunTaskResult[] = [];
  for (const task of tasks) {
    const result = api.runTask(task);
    results.push(result);
    onDone?.(result, results.length, tasks.length);
  }
  return results;
}
