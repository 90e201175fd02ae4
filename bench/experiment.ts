/**
 * `npm run bench:experiment`: figures of the batch experiment runner (docs/experiments.md quotes
 * them). Measured, never asserted: the machines are shared and noisy.
 *
 * - throughput: runs per hour of the reference experiment (below) with 1 and with 2 workers, and
 *   the scaling efficiency (runs/h with 2) / (2 × runs/h with 1), goal ≥ 0.9; the same for an
 *   experiment of short runs, where each worker's fixed warm-up weighs;
 * - memory: resident set size of the process (main thread and worker threads together) at the
 *   start, middle and end of a long experiment of short runs, which should stay flat.
 *
 *   npm run bench:experiment -- [--json] [--memory-runs N] [--skip-memory] [--skip-throughput]
 *                                [--skip-short] [--seeds N]
 *
 * `--seeds N` runs the reference experiment with N seeds instead of 10 (2N runs), a shorter
 * measurement of the same runs; `--skip-short` leaves out the experiment of short runs. On Linux
 * each figure also gives the CPU time of the main thread, of the workers' threads and of V8's
 * background threads (optimising compilation, parallel and concurrent garbage collection).
 *
 * With `node --expose-gc` (NODE_OPTIONS=--expose-gc) the heap figures are taken after a collection.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../workers/scenarios.ts';
import { runExperiment } from '../workers/experiment/runner.ts';
import { workerBundle } from '../workers/pool.ts';
import { planExperiment, validateExperiment } from '../workers/experiment/spec.ts';
import { gitCommit } from '../workers/experiment/store.ts';

/**
 * The reference experiment of the throughput figure: what a study runs — the default city (32 × 32,
 * 50,000 households) over the model's 25 years, `none` and `place-based` × 10 seeds = 20 runs, each
 * seed's city spun up once (15 years) and shared by its two runs.
 */
export const REFERENCE = {
  scenario: 'baseline',
  policies: ['none', 'place-based'],
  years: 25,
  seeds: { master: 1, replications: 10 },
};

/**
 * Short runs: 2 policies × 2 points × 10 seeds = 40 runs of 5 years on a 16 × 16 city of 8,000
 * households, about 0.3 CPU s each. Here each worker's warm-up (V8 compiling the engine, a few CPU
 * seconds on background threads, paid once per worker) is a large part of the work: the figure
 * shows that fixed cost, which a study's runs amortise.
 */
export const SHORT_RUNS = {
  scenario: 'baseline',
  // A four-year programme from year 1, which the five-year runs see whole (no programme may
  // outlast its run); it spends in those years what the default ten-year one would.
  set: { 'city.width': 16, 'city.height': 16, 'households.count': 8000, 'policy.startYear': 1, 'policy.durationYears': 4 },
  policies: ['none', 'place-based'],
  years: 5,
  seeds: { master: 1, replications: 10 },
  design: { type: 'factorial', parameters: { 'policy.budgetPerYear': [2_000_000, 5_000_000] } },
};

/** The long experiment of the memory figure: short runs on a small city. */
const memorySpec = (runs: number) => ({
  scenario: 'baseline',
  set: { 'city.width': 8, 'city.height': 8, 'households.count': 1500, 'policy.startYear': 1 },
  policies: ['none'],
  years: 1,
  seeds: { master: 1, replications: runs },
});

function plan(spec: unknown, name: string) {
  const s = validateExperiment(spec, name);
  const base = loadScenario(s.scenario, Object.entries(s.set ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`));
  return planExperiment(s, base, name, name);
}

/** CPU seconds of each thread of this process (Linux: /proc/self/task), by thread id; empty elsewhere. */
function threadCpuSeconds(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime), counted after the command name: 12 and 13 here.
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * Where a measurement's CPU time went, in seconds: the main thread; the workers' threads (those
 * started during it: a worker's JavaScript runs on the thread it was created with); and the
 * threads that were there before it other than the main one — V8's platform threads, shared by
 * every isolate of the process, which compile optimised code and help the garbage collector.
 */
interface Threads {
  main: number;
  workers: number;
  background: number;
}

/** Sampled after every run, because a worker's thread and its CPU time go when its pool closes. */
function threadSampler(): { sample(): void; result(): Threads | null } {
  const before = threadCpuSeconds();
  let last = before;
  return {
    sample() {
      const now = threadCpuSeconds();
      // Threads that ended since the last sample keep their last reading.
      for (const [tid, s] of last) if (!now.has(tid)) now.set(tid, s);
      last = now;
    },
    result() {
      if (!before.size) return null;
      const t: Threads = { main: 0, workers: 0, background: 0 };
      for (const [tid, s] of last) {
        const spent = s - (before.get(tid) ?? 0);
        if (tid === process.pid) t.main += spent;
        else if (before.has(tid)) t.background += spent;
        else t.workers += spent;
      }
      return t;
    },
  };
}

/**
 * Wall-clock throughput, and the CPU time (all threads of the process) per run. On a machine
 * where other processes take the cores, the wall clock understates what a second worker gains;
 * CPU seconds per run with 1 and 2 workers still show whether parallel runs cost extra work.
 */
async function timed(
  spec: unknown,
  workers: number,
): Promise<{ runs: number; seconds: number; runsPerHour: number; cpuSecondsPerRun: number; mainThreadShare: number | null; threads: Threads | null }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'regensim-bench-'));
  try {
    const p = plan(spec, 'reference');
    const cpu0 = process.cpuUsage();
    const threads = threadSampler();
    const r = await runExperiment(p, { out: dir, workers, onRun: () => threads.sample() });
    const cpu = process.cpuUsage(cpu0);
    threads.sample();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const cpuSecondsPerRun = cpuSeconds / r.ran;
    const t = threads.result();
    // The share of the process's CPU time spent on the main thread (receiving and writing results).
    const mainThreadShare = t === null ? null : t.main / cpuSeconds;
    return { runs: r.ran, seconds: r.seconds, runsPerHour: (r.ran / r.seconds) * 3600, cpuSecondsPerRun, mainThreadShare, threads: t };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The scaling efficiency that the CPU times imply for two cores nobody else uses: one worker's
 * wall time is its own thread's CPU time (the main thread and V8's background threads fit on the
 * second core while they take less than it), two workers' is their process's CPU time over two
 * cores (both busy). Other processes still slow both through the shared caches, but far less than
 * they take cores from the wall clock. Null where the threads' times are not known.
 */
/** What `timed` measured of one experiment. */
type Timed = Awaited<ReturnType<typeof timed>>;

function cpuEfficiency(one: Timed, two: Timed): number | null {
  if (!one.threads) return null;
  const wall1 = Math.max(one.threads.workers, (one.cpuSecondsPerRun * one.runs) / 2) / one.runs;
  const wall2 = (two.cpuSecondsPerRun * two.runs) / 2 / two.runs;
  return wall1 / (2 * wall2);
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

interface Memory {
  runs: number;
  /** Resident set size of the whole process (worker threads included). */
  rssMB: { start: number; middle: number; end: number };
  /** V8 heap in use in the main thread, after a collection when --expose-gc is on. */
  heapMB: { start: number; middle: number; end: number };
  seconds: number;
}

async function memory(runs: number): Promise<Memory> {
  const dir = mkdtempSync(join(os.tmpdir(), 'regensim-bench-'));
  try {
    const p = plan(memorySpec(runs), 'memory');
    const rss = [0, 0, 0];
    const heap = [0, 0, 0];
    const sample = (i: number) => {
      (globalThis as { gc?: () => void }).gc?.();
      rss[i] = mb(process.memoryUsage().rss);
      heap[i] = mb(process.memoryUsage().heapUsed);
    };
    // "Start" is taken after the first 5% of runs, once the workers and the store are warm.
    const r = await runExperiment(p, {
      out: dir,
      onRun: (done, total) => {
        if (done === Math.ceil(total * 0.05)) sample(0);
        if (done === Math.ceil(total / 2)) sample(1);
        if (done === total) sample(2);
      },
    });
    const at = (a: number[]) => ({ start: a[0]!, middle: a[1]!, end: a[2]! });
    return { runs: r.ran, rssMB: at(rss), heapMB: at(heap), seconds: r.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const skipMemory = argv.includes('--skip-memory');
  const skipThroughput = argv.includes('--skip-throughput');
  const i = argv.indexOf('--memory-runs');
  const memoryRuns = i >= 0 ? Number(argv[i + 1]) : 1000;
  if (!Number.isInteger(memoryRuns) || memoryRuns < 20) {
    process.stderr.write('bench:experiment: --memory-runs needs a whole number ≥ 20\n');
    return 2;
  }
  const skipShort = argv.includes('--skip-short');
  const j = argv.indexOf('--seeds');
  const seeds = j >= 0 ? Number(argv[j + 1]) : REFERENCE.seeds.replications;
  if (!Number.isInteger(seeds) || seeds < 1) {
    process.stderr.write('bench:experiment: --seeds needs a whole number ≥ 1\n');
    return 2;
  }
  const reference = { ...REFERENCE, seeds: { ...REFERENCE.seeds, replications: seeds } };
  const cores = os.availableParallelism();
  // Other processes on a shared machine take cores from the workers: the load is printed with the figures.
  const load = () => os.loadavg()[0]!.toFixed(1);
  process.stderr.write(`load average before: ${load()}\n`);
  const share = (x: number | null) => (x === null ? '' : `, main thread ${Math.round(x * 100)}% of it`);
  const threads = (t: Threads | null) =>
    t === null ? '' : `; CPU s: main ${t.main.toFixed(1)}, workers ${t.workers.toFixed(1)}, V8 background ${t.background.toFixed(1)}`;
  const line = (t: Timed) =>
    `${t.runsPerHour.toFixed(0)} runs/h (${t.seconds.toFixed(1)} s, ${t.cpuSecondsPerRun.toFixed(2)} CPU s/run${share(t.mainThreadShare)}${threads(t.threads)})`;
  const scaling = async (spec: unknown, what: string) => {
    process.stderr.write(`${what}, ${cores} cores\n`);
    const one = await timed(spec, 1);
    process.stderr.write(`  1 worker:  ${line(one)}\n`);
    const two = await timed(spec, 2);
    process.stderr.write(`  2 workers: ${line(two)}\n`);
    const efficiency = two.runsPerHour / (2 * one.runsPerHour);
    process.stderr.write(`  scaling efficiency 1→2 workers: ${efficiency.toFixed(2)} (goal ≥ 0.9)\n`);
    const fromCpu = cpuEfficiency(one, two);
    if (fromCpu !== null) process.stderr.write(`  the same from CPU time, as on two idle cores: ${fromCpu.toFixed(2)}\n`);
    return { one, two, efficiency, fromCpu };
  };
  let ref: { one: Timed; two: Timed; efficiency: number; fromCpu: number | null } | undefined;
  let short: typeof ref;
  if (!skipThroughput) {
    // The workers' code is bundled once per process, by the first pool: done here, so that no
    // timing below includes it (a `regensim experiment` pays it once, before its first worker starts).
    const b0 = performance.now();
    const bundled = workerBundle() !== null;
    process.stderr.write(`worker bundle: ${bundled ? `built in ${((performance.now() - b0) / 1000).toFixed(2)} s` : 'esbuild unavailable, workers compile with tsx'}\n`);
    ref = await scaling(reference, `reference experiment: ${2 * seeds} runs (the default city, 25 years, 2 policies × ${seeds} seeds)`);
    if (!skipShort) short = await scaling(SHORT_RUNS, 'short runs: 40 runs (16×16 city, 8,000 households, 5 years)');
  }
  let mem;
  if (!skipMemory) {
    process.stderr.write(`memory: ${memoryRuns} runs (8×8 city, 1,500 households, 1 year), all cores\n`);
    mem = await memory(memoryRuns);
    process.stderr.write(`  RSS start ${mem.rssMB.start} MB, middle ${mem.rssMB.middle} MB, end ${mem.rssMB.end} MB (${mem.seconds.toFixed(0)} s)\n`);
    process.stderr.write(`  main-thread heap start ${mem.heapMB.start} MB, middle ${mem.heapMB.middle} MB, end ${mem.heapMB.end} MB\n`);
  }
  process.stderr.write(`load average after: ${load()}\n`);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        ...figures(ref),
        seeds,
        shortRuns: short ? figures(short) : null,
        memory: mem ?? null,
        cores,
        loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
        node: process.version,
        commit: gitCommit(),
      })}\n`,
    );
  }
  return 0;
}

/** The JSON figures of one scaling measurement (nulls when it was skipped). */
function figures(t: { one: Timed; two: Timed; efficiency: number; fromCpu: number | null } | undefined) {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    runsPerHour1: t ? Math.round(t.one.runsPerHour) : null,
    runsPerHour2: t ? Math.round(t.two.runsPerHour) : null,
    scalingEfficiency: t ? r2(t.efficiency) : null,
    scalingEfficiencyFromCpu: t?.fromCpu == null ? null : r2(t.fromCpu),
    cpuSecondsPerRun1: t ? r2(t.one.cpuSecondsPerRun) : null,
    cpuSecondsPerRun2: t ? r2(t.two.cpuSecondsPerRun) : null,
    mainThreadShare1: t?.one.mainThreadShare == null ? null : r2(t.one.mainThreadShare),
    mainThreadShare2: t?.two.mainThreadShare == null ? null : r2(t.two.mainThreadShare),
    threadCpuSeconds1: t?.one.threads ? roundThreads(t.one.threads) : null,
    threadCpuSeconds2: t?.two.threads ? roundThreads(t.two.threads) : null,
  };
}

const roundThreads = (t: Threads): Threads => ({
  main: Math.round(t.main * 10) / 10,
  workers: Math.round(t.workers * 10) / 10,
  background: Math.round(t.background * 10) / 10,
});

// Run directly (`tsx bench/experiment.ts`), not when imported.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
