/**
 * The worker API and the Node worker pool: a pool's results equal in-process runs, do not depend
 * on the number of workers or on which task finished first, carry errors of bad tasks and of dead
 * workers as results, and a closed pool lets Node exit.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioSchema, type ScenarioConfig } from '../../sim/config/schema.ts';
import { createSimulation, runScenario } from '../../sim/simulation.ts';
import type { RunResult } from '../../sim/types.ts';
import { api, createApi, type RunTask, type RunTaskResult } from '../../workers/api.ts';
import { createPool, defaultPoolSize, pickTask, runInProcess, startWorker, workerBundle, type Pool } from '../../workers/pool.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const config = scenarioSchema.parse({ city: { width: 8, height: 8 }, households: { count: 1500 }, run: { years: 2 } });
const SEEDS = [1, 2, 3, 4];
const tasks: RunTask[] = SEEDS.map((seed) => ({ id: `seed-${seed}`, config, seed, years: 2 }));

/** Results without their timings, as JSON: what must not depend on the host. */
const outcome = (rs: RunTaskResult[]) => JSON.parse(JSON.stringify(rs.map(({ ms: _ms, ...r }) => r)));

let expected: RunResult[];
let pool1: Pool;
let pool2: Pool;

beforeAll(() => {
  expected = SEEDS.map((seed) => runScenario(config, { seed, years: 2 }));
  pool1 = createPool(1);
  pool2 = createPool(2);
});

afterAll(async () => {
  await Promise.all([pool1?.close(), pool2?.close()]);
});

describe('createPool', () => {
  it('returns what runScenario returns in process, in task order, reporting progress', async () => {
    const progress: [string, number, number][] = [];
    const results = await pool2.runAll(tasks, (r, done, total) => progress.push([r.id, done, total]));
    expect(pool2.size).toBe(2);
    expect(results.map((r) => r.id)).toEqual(tasks.map((t) => t.id));
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.ms).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(results.map((r) => r.result)))).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(progress.map(([, done, total]) => [done, total])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(progress.map(([id]) => id).sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it('gives the same results with one worker as with two, and as runInProcess', async () => {
    const [one, two] = await Promise.all([pool1.runAll(tasks), pool2.runAll(tasks)]);
    expect(outcome(one)).toEqual(outcome(two));
    expect(outcome(await runInProcess(tasks))).toEqual(outcome(two));
  });

  it('keeps task order when a later task finishes first', async () => {
    const long: RunTask = { id: 'long', config, seed: 9, years: 20 };
    const short = (seed: number): RunTask => ({ id: `short-${seed}`, config, seed, years: 1 });
    const finished: string[] = [];
    const results = await pool2.runAll([long, short(1), short(2), short(3)], (r) => finished.push(r.id));
    expect(results.map((r) => r.id)).toEqual(['long', 'short-1', 'short-2', 'short-3']);
    // The order really was different: the other worker ran short tasks while the long one ran.
    expect(finished[0]).not.toBe('long');
    expect(results[0]!.result!.years).toBe(20);
    expect(results[0]!.result!.series).toHaveLength(21);
    expect(results[1]!.result!.series).toHaveLength(2);
  });

  it('reports an invalid task as an error result and runs the others', async () => {
    // A spread bypasses validation; the engine itself would run a 0-wide city without throwing.
    const bad: RunTask = { id: 'bad', config: { ...config, city: { ...config.city, width: 0 } }, seed: 1, years: 2 };
    const badSeed: RunTask = { id: 'bad-seed', config, seed: -1, years: 2 };
    const results = await pool2.runAll([tasks[0]!, bad, tasks[1]!, badSeed]);
    expect(results.map((r) => r.id)).toEqual(['seed-1', 'bad', 'seed-2', 'bad-seed']);
    expect(results[1]!.result).toBeUndefined();
    expect(results[1]!.error).toMatch(/^task "bad": field "city\.width"/);
    expect(results[3]!.error).toMatch(/^seed must be an integer/);
    expect(JSON.parse(JSON.stringify([results[0]!.result, results[2]!.result]))).toEqual(
      JSON.parse(JSON.stringify(expected.slice(0, 2))),
    );
  });

  it('replaces a worker that dies and reports its task as an error', async () => {
    // An entry that serves the real API but kills its worker on two task ids: one by exiting the
    // thread, one by an uncaught exception outside comlink's handler.
    const source = `
      import { parentPort } from 'node:worker_threads';
      import { expose } from ${JSON.stringify(import.meta.resolve('comlink/dist/esm/comlink.mjs'))};
      import nodeEndpoint from ${JSON.stringify(import.meta.resolve('comlink/dist/esm/node-adapter.mjs'))};
      import { api } from ${JSON.stringify(new URL('../../workers/api.ts', import.meta.url).href)};
      expose({
        ...api,
        runTask(task) {
          if (task.id === 'exit') process.exit(7);
          if (task.id === 'throw') {
            setTimeout(() => { throw new Error('boom'); });
            return new Promise(() => {});
          }
          return api.runTask(task);
        },
      }, nodeEndpoint(parentPort));
    `;
    const pool = createPool(2, { entry: new URL(`data:text/javascript,${encodeURIComponent(source)}`) });
    try {
      const dying = (id: string): RunTask => ({ id, config, seed: 1, years: 1 });
      const results = await pool.runAll([tasks[0]!, dying('exit'), tasks[1]!, dying('throw'), tasks[2]!]);
      expect(results.map((r) => r.id)).toEqual(['seed-1', 'exit', 'seed-2', 'throw', 'seed-3']);
      expect(results[1]!.error).toMatch(/exit code 7/);
      expect(results[3]!.error).toMatch(/boom/);
      expect(JSON.parse(JSON.stringify([0, 2, 4].map((i) => results[i]!.result)))).toEqual(
        JSON.parse(JSON.stringify(expected.slice(0, 3))),
      );
      // The pool is still whole afterwards.
      expect((await pool.runAll([tasks[3]!]))[0]!.error).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it('closes: running and queued tasks come back as errors, and later batches are refused', async () => {
    const pool = createPool(1);
    const pending = pool.runAll([
      { id: 'running', config, seed: 1, years: 20 },
      { id: 'queued', config, seed: 2, years: 1 },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    const results = await pending;
    expect(results.map((r) => r.id)).toEqual(['running', 'queued']);
    expect(results[0]!.error).toMatch(/closed before the task finished/);
    expect(results[1]!.error).toMatch(/closed before the task started/);
    await expect(pool.runAll(tasks)).rejects.toThrow(/closed/);
  });

  it('lets node exit after close, and after a batch on a pool left open', async () => {
    const script = `
      import { scenarioSchema } from './sim/config/schema.ts';
      import { createPool } from './workers/pool.ts';
      const config = scenarioSchema.parse({ city: { width: 8, height: 8 }, households: { count: 1500 } });
      const closed = createPool(2);
      const open = createPool(1);
      const task = { id: 'x', config, seed: 1, years: 1 };
      const [a, b] = await Promise.all([closed.runAll([task, { ...task, id: 'y' }]), open.runAll([task])]);
      await closed.close();
      console.log([...a, ...b].map((r) => r.error ?? 'ok').join(' '));
    `;
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: ROOT, timeout: 25_000 },
        (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('ok ok ok');
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('bundles the default entry once, so workers load JavaScript instead of compiling the sources', () => {
    const bundle = workerBundle();
    expect(bundle).toMatch(/runTask/);
    expect(workerBundle()).toBe(bundle);
  });

  it('takes its size from the argument, then Slurm, then the machine', () => {
    expect(createPool(3).size).toBe(3);
    expect(() => createPool(0)).toThrow(/positive integer/);
    expect(() => createPool(1.5)).toThrow(/positive integer/);
    expect(defaultPoolSize({ SLURM_CPUS_PER_TASK: '6', SLURM_CPUS_ON_NODE: '32' })).toBe(6);
    expect(defaultPoolSize({ SLURM_CPUS_ON_NODE: '32' })).toBe(32);
    expect(defaultPoolSize({ SLURM_CPUS_PER_TASK: 'x', SLURM_CPUS_ON_NODE: '0' })).toBeGreaterThanOrEqual(1);
    expect(defaultPoolSize({})).toBeGreaterThanOrEqual(1);
  });
});

describe('worker API', () => {
  it('runs a session in a worker: step, snapshot (layers arrive as typed arrays), close', async () => {
    const { worker, remote } = startWorker();
    try {
      const local = createSimulation(config, { seed: 5 });
      const id = await remote.open(config, 5);
      const stepped = await remote.step(id, 4);
      local.step(4);
      expect(stepped).toEqual({ year: 1, tick: 4, frame: JSON.parse(JSON.stringify(local.frame())), tracked: [] });
      const snap = await remote.snapshot(id);
      expect(snap.n).toBe(64);
      expect(snap.layers.poverty).toBeInstanceOf(Float32Array);
      expect(snap).toEqual(local.snapshot());
      expect(await remote.close(id)).toBe(true);
      expect(await remote.close(id)).toBe(false);
      await expect(remote.step(id, 1)).rejects.toThrow(/no open session/);
    } finally {
      await worker.terminate();
    }
  });

  it('hands snapshot buffers to the transfer hook, once each', () => {
    const seen: unknown[][] = [];
    const hooked = createApi({
      transfer: (value, transferables) => {
        seen.push(transferables);
        return value;
      },
    });
    const id = hooked.open(config as ScenarioConfig, 1);
    const snap = hooked.snapshot(id);
    const f = snap.facilities!;
    const buffers = [...Object.values(snap.layers), f.kind, f.cell, f.quality, f.open].map((l) => l.buffer);
    expect(seen).toHaveLength(1);
    expect(new Set(seen[0])).toEqual(new Set(buffers));
    expect(seen[0]).toHaveLength(new Set(buffers).size);
  });

  it('run validates like runTask but throws', () => {
    expect(() => api.run({ ...config, city: { ...config.city, width: 0 } }, { seed: 1, years: 1 })).toThrow(/city\.width/);
    expect(() => api.run(config, { seed: 1, years: 1.5 })).toThrow(/years must be an integer/);
  });
});

describe('pickTask: which queued task a free worker takes', () => {
  it('keeps a worker on the city it has spun up, and sends another worker to a city nobody holds', () => {
    expect(pickTask(['a', 'a', 'b'], undefined, new Set())).toBe(0);
    expect(pickTask(['a', 'a', 'b'], undefined, new Set(['a']))).toBe(2);
    expect(pickTask(['b', 'a', 'a'], 'a', new Set(['b']))).toBe(1);
    // Every city held by others: the first; an unknown city ('') is never held.
    expect(pickTask(['b', 'b'], 'a', new Set(['b']))).toBe(0);
    expect(pickTask(['b', '', 'c'], 'a', new Set(['b']))).toBe(1);
    expect(pickTask([], 'a', new Set())).toBe(0);
  });

  it('spins each seed up about once over a comparison, where tasks in turn spin every seed up on every worker', () => {
    // Seven runs a seed for five seeds, on two workers that finish in turn.
    const tasks = [1, 2, 3, 4, 5].flatMap((seed) => Array.from({ length: 7 }, () => `seed ${seed}`));
    const spinUps = (choose: (queue: string[], own: string | undefined, held: Set<string>) => number): number => {
      const queue = [...tasks];
      const own: (string | undefined)[] = [undefined, undefined];
      let n = 0;
      for (let w = 0; queue.length; w = 1 - w) {
        const [city] = queue.splice(choose(queue, own[w], new Set(own.filter((c, i) => i !== w && c) as string[])), 1);
        if (city !== own[w]) n++;
        own[w] = city;
      }
      return n;
    };
    // Each seed once, and the last one twice: both workers finish it together.
    expect(spinUps(pickTask)).toBe(6);
    expect(spinUps(() => 0)).toBe(10);
  });
});
