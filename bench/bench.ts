/**
 * `npm run bench`: speed and memory figures of the engine, on one thread.
 *
 * It prints a table, and with `--json` one JSON object on the last line (see INTERFACE.md).
 * Targets are shown beside the figures as PASS or MISS but never change the exit code: the
 * machines are shared and noisy, so a benchmark reports and tests assert behaviour.
 *
 *   npm run bench -- [--json] [--years N] [--skip-million] [--million-years N]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { scenarioSchema, type ScenarioInput } from '../sim/config/schema.ts';
import { createSimulation, type Simulation } from '../sim/simulation.ts';
import type { World } from '../sim/world.ts';

/** Targets from the specification. */
const TARGET_STEPS_PER_SECOND = 3_000_000;
const TARGET_MS_PER_YEAR_MILLION = 4_000;
const TARGET_BYTES_PER_HOUSEHOLD = 128;

const TICKS_PER_YEAR = 4;
/**
 * Timed years of the default city. Ten, because V8 is still compiling the engine in the first
 * three or so: a year that first takes a rare branch (the programme's start in year 2, the first
 * household to leave the city, ...) throws an optimised loop away and runs it slowly until it is
 * compiled again, at 60-130 ms against 50-60 ms a year after that (docs/performance.md). A run is
 * 40 years (15 of spin-up and 25), nearly all of them after the warm-up; the median of ten timed
 * years is that sustained rate, and the median of the first five (the bench's figure until then,
 * mostly the warm-up) is printed beside it.
 */
const DEFAULT_YEARS = 10;
/** Timed years after which memory is read: the horizon the bytes-per-household figure always had (the move log grows with the years). */
const MEMORY_YEARS = 5;
const MILLION_CITY: ScenarioInput = { city: { width: 200, height: 200 }, households: { count: 1_000_000 } };

const USAGE = `usage: npm run bench -- [--json] [--years N] [--skip-million] [--million-years N]
  --json             also print one JSON object on the last line
  --years N          timed years of the default city (default 10, after 1 warm-up year)
  --skip-million     skip the 1,000,000-household city
  --million-years N  timed years of the million city (default 2, after 1 warm-up year)
`;

interface Options {
  json: boolean;
  years: number;
  skipMillion: boolean;
  millionYears: number;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | 'help' {
  const opts: Options = { json: false, years: DEFAULT_YEARS, skipMillion: false, millionYears: 2 };
  const count = (flag: string, v: string | undefined): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1) {
      throw new UsageError(`${flag} needs a whole number of years, at least 1 (got ${v ?? 'nothing'})`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--json': opts.json = true; break;
      case '--skip-million': opts.skipMillion = true; break;
      case '--years': opts.years = count(flag, value()); break;
      case '--million-years': opts.millionYears = count(flag, value()); break;
      case '-h':
      case '--help': return 'help';
      default: throw new UsageError(`unknown option ${arg}`);
    }
    if (inline !== undefined && (flag === '--json' || flag === '--skip-million')) {
      throw new UsageError(`${flag} takes no value`);
    }
  }
  return opts;
}

const progress = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function aliveHouseholds(w: World): number {
  const h = w.households;
  let n = 0;
  for (let s = 0; s < h.count; s++) n += h.alive[s]!;
  return n;
}

/** Bytes of the typed arrays that are direct properties of a store (its columns). */
function storeBytes(store: object): number {
  let b = 0;
  for (const v of Object.values(store)) {
    if (ArrayBuffer.isView(v)) b += v.byteLength;
  }
  return b;
}

/**
 * Bytes of every typed array reachable from the world (geography, radius lists, indices,
 * scratch buffers included), each buffer counted once: what the stores' figure leaves out.
 */
function reachableBytes(root: unknown): number {
  const seenObjects = new Set<object>();
  const seenBuffers = new Set<ArrayBufferLike>();
  let b = 0;
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seenObjects.has(v)) return;
    seenObjects.add(v);
    if (ArrayBuffer.isView(v)) {
      if (!seenBuffers.has(v.buffer)) {
        seenBuffers.add(v.buffer);
        b += v.buffer.byteLength;
      }
      return;
    }
    for (const x of Object.values(v)) visit(x);
  };
  visit(root);
  return b;
}

interface Memory {
  bytesPerHousehold: number;
  breakdown: {
    householdStorePerSlot: number;
    householdStorePerAliveHousehold: number;
    moveLog: number;
    rest: number;
  };
  allWorldArraysPerHousehold: number;
  moveLogEntries: number;
  householdCapacity: number;
}

function measureMemory(w: World, alive: number): Memory {
  const hBytes = storeBytes(w.households);
  const moveBytes = storeBytes(w.moves);
  const restBytes = storeBytes(w.cells) + storeBytes(w.firms) + storeBytes(w.resources);
  const perSlot = hBytes / w.households.capacity;
  const moveLog = moveBytes / alive;
  const rest = restBytes / alive;
  return {
    bytesPerHousehold: perSlot + moveLog + rest,
    breakdown: {
      householdStorePerSlot: perSlot,
      householdStorePerAliveHousehold: hBytes / alive,
      moveLog,
      rest,
    },
    allWorldArraysPerHousehold: reachableBytes(w) / alive,
    moveLogEntries: w.moves.length,
    householdCapacity: w.households.capacity,
  };
}

interface CityRun {
  sim: Simulation;
  msInit: number;
  msPerYear: number;
  yearMs: number[];
  alive: number;
  /** CPU ms of the main thread per year, over all timed years (null where it cannot be read). */
  cpuMsPerYear: number | null;
}

/** What `measureMemory` and the process report, read once during a run. */
interface MemoryReading {
  mem: ReturnType<typeof measureMemory>;
  gcRan: boolean;
  heapUsedMB: number;
  arrayBuffersMB: number;
}

function readMemory(sim: Simulation): MemoryReading {
  const mem = measureMemory(sim.world, aliveHouseholds(sim.world));
  const gcRan = collectGarbage();
  const usage = process.memoryUsage();
  return { mem, gcRan, heapUsedMB: usage.heapUsed / 2 ** 20, arrayBuffersMB: usage.arrayBuffers / 2 ** 20 };
}

/**
 * CPU milliseconds of the main thread alone (Linux: /proc/self/task/<pid>/stat, in 10 ms clock
 * ticks; V8's compiler and collector threads are not in it), or null where that file does not
 * exist. On a shared machine it moves far less than the wall clock with the neighbours' load.
 */
function threadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

function runCity(label: string, input: ScenarioInput, warmupTicks: number, years: number, afterYear?: (yearsDone: number, sim: Simulation) => void): CityRun {
  // Speed is measured per simulated year after the bench's own warm-up ticks; the scenario's
  // spin-up (15 years by default) is only more of the same years, so it is left out here.
  const config = scenarioSchema.parse({ ...input, run: { ...input.run, spinUpYears: 0 } });
  progress(`${label}: creating ${config.city.width}x${config.city.height}, ${config.households.count} households`);
  let t = performance.now();
  const sim = createSimulation(config);
  const msInit = performance.now() - t;
  progress(`${label}: created in ${msInit.toFixed(0)} ms; warming up ${warmupTicks} tick(s)`);
  sim.step(warmupTicks);
  const yearMs: number[] = [];
  const aliveCounts: number[] = [];
  const cpu0 = threadCpuMs();
  let cpuAside = 0;
  for (let y = 0; y < years; y++) {
    // Any four consecutive ticks cross one year's end, so each timed year includes one yearly frame.
    t = performance.now();
    sim.step(TICKS_PER_YEAR);
    const ms = performance.now() - t;
    yearMs.push(ms);
    aliveCounts.push(aliveHouseholds(sim.world));
    progress(`${label}: year ${y + 1}/${years} ${ms.toFixed(0)} ms`);
    // Outside the timed span, and its main-thread CPU taken out of the count below.
    const c0 = threadCpuMs();
    afterYear?.(y + 1, sim);
    const c1 = threadCpuMs();
    if (cpu0 !== null && c0 !== null && c1 !== null) cpuAside += c1 - c0;
  }
  const cpu1 = threadCpuMs();
  const alive = aliveCounts.reduce((a, b) => a + b, 0) / aliveCounts.length;
  const cpuMsPerYear = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0 - cpuAside) / years;
  return { sim, msInit, msPerYear: median(yearMs), yearMs, alive, cpuMsPerYear };
}

/** A full collection before reading the heap, when the flag can be turned on here. */
function collectGarbage(): boolean {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    try {
      // bin/bench.js starts node without --expose-gc; setting the flag now exposes `gc` in new contexts.
      v8.setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      return false;
    }
  }
  gc();
  return true;
}

function gitCommit(): { commit: string; dirty: boolean | null } {
  const cwd = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']);
    let dirty: boolean | null = null;
    try {
      // Uncommitted engine changes make the figures belong to no commit.
      dirty = git(['status', '--porcelain', '--untracked-files=no']).length > 0;
    } catch {
      dirty = null;
    }
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}

const fmt = (x: number | null, digits = 0): string =>
  x === null ? 'skipped' : x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function verdict(value: number | null, target: number, atLeast: boolean): string {
  if (value === null) return '';
  const ok = atLeast ? value >= target : value <= target;
  return `${atLeast ? '>=' : '<='} ${fmt(target)}  ${ok ? 'PASS' : 'MISS'}`;
}

function table(rows: [string, string, string][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd()).join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    opts = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${USAGE}`);
    return 2;
  }

  const started = new Date();
  const memoryYears = Math.min(opts.years, MEMORY_YEARS);
  let reading: MemoryReading | null = null;
  const def = runCity('default city', {}, TICKS_PER_YEAR, opts.years, (done, sim) => {
    if (done === memoryYears) reading = readMemory(sim);
  });
  const householdStepsPerSecond = (def.alive * TICKS_PER_YEAR) / (def.msPerYear / 1000);
  const firstYears = def.yearMs.slice(0, Math.min(def.yearMs.length, 5));
  const householdStepsPerSecondFirstYears = (def.alive * TICKS_PER_YEAR) / (median(firstYears) / 1000);
  const { mem, gcRan, heapUsedMB, arrayBuffersMB } = reading ?? readMemory(def.sim);

  let million: CityRun | null = null;
  if (!opts.skipMillion) {
    // A whole warm-up year: the first year at this size runs about half again slower than the next
    // (first full-size collections and array growth), which a one-tick warm-up leaves in the median.
    million = runCity('million city', MILLION_CITY, TICKS_PER_YEAR, opts.millionYears);
  }

  const cpus = os.cpus();
  const { commit, dirty } = gitCommit();
  const result = {
    householdStepsPerSecond: Math.round(householdStepsPerSecond),
    // The same from the first five timed years alone, V8's warm-up among them.
    householdStepsPerSecondFirstYears: Math.round(householdStepsPerSecondFirstYears),
    // The same per CPU second of the main thread: less disturbed by other processes on the machine.
    householdStepsPerCpuSecond: def.cpuMsPerYear ? Math.round((def.alive * TICKS_PER_YEAR) / (def.cpuMsPerYear / 1000)) : null,
    cpuMsPerYearDefaultCity: def.cpuMsPerYear === null ? null : Math.round(def.cpuMsPerYear),
    msPerYearDefaultCity: Math.round(def.msPerYear),
    msInitDefaultCity: Math.round(def.msInit),
    yearsDefaultCity: opts.years,
    aliveHouseholdsDefaultCity: Math.round(def.alive),
    msPerYearMillionCity: million ? Math.round(million.msPerYear) : null,
    msInitMillionCity: million ? Math.round(million.msInit) : null,
    yearsMillionCity: million ? opts.millionYears : null,
    aliveHouseholdsMillionCity: million ? Math.round(million.alive) : null,
    bytesPerHousehold: Math.round(mem.bytesPerHousehold * 10) / 10,
    memoryAfterYears: memoryYears,
    bytesPerHouseholdBreakdown: {
      householdStorePerSlot: Math.round(mem.breakdown.householdStorePerSlot * 10) / 10,
      householdStorePerAliveHousehold: Math.round(mem.breakdown.householdStorePerAliveHousehold * 10) / 10,
      moveLog: Math.round(mem.breakdown.moveLog * 10) / 10,
      rest: Math.round(mem.breakdown.rest * 10) / 10,
    },
    bytesPerHouseholdAllWorldArrays: Math.round(mem.allWorldArraysPerHousehold * 10) / 10,
    moveLogEntries: mem.moveLogEntries,
    heapUsedMB: Math.round(heapUsedMB * 10) / 10,
    heapUsedAfterGc: gcRan,
    arrayBuffersMB: Math.round(arrayBuffersMB * 10) / 10,
    targets: {
      householdStepsPerSecond: TARGET_STEPS_PER_SECOND,
      msPerYearMillionCity: TARGET_MS_PER_YEAR_MILLION,
      bytesPerHousehold: TARGET_BYTES_PER_HOUSEHOLD,
    },
    node: process.version,
    commit,
    dirty,
    date: started.toISOString(),
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
  };

  const b = result.bytesPerHouseholdBreakdown;
  const rows: [string, string, string][] = [
    ['figure', 'value', 'target'],
    ['household-steps per second', fmt(result.householdStepsPerSecond), verdict(result.householdStepsPerSecond, TARGET_STEPS_PER_SECOND, true)],
    [`  the first ${firstYears.length} timed years alone (V8 warming up)`, fmt(result.householdStepsPerSecondFirstYears), ''],
    ['household-steps per CPU second (main thread)', result.householdStepsPerCpuSecond === null ? 'n/a' : fmt(result.householdStepsPerCpuSecond), ''],
    [`default city ms per year (median of ${opts.years})`, fmt(result.msPerYearDefaultCity), ''],
    ['default city init ms', fmt(result.msInitDefaultCity), ''],
    ['default city households alive', fmt(result.aliveHouseholdsDefaultCity), ''],
    [`million city ms per year (median of ${opts.millionYears})`, fmt(result.msPerYearMillionCity), verdict(result.msPerYearMillionCity, TARGET_MS_PER_YEAR_MILLION, false)],
    ['million city init ms', fmt(result.msInitMillionCity), ''],
    [`bytes per household (after ${memoryYears} timed years)`, fmt(result.bytesPerHousehold, 1), verdict(result.bytesPerHousehold, TARGET_BYTES_PER_HOUSEHOLD, false)],
    ['  household store, per slot', fmt(b.householdStorePerSlot, 1), ''],
    ['  household store, per alive household (slack incl.)', fmt(b.householdStorePerAliveHousehold, 1), ''],
    [`  move log (${fmt(result.moveLogEntries)} entries, capacity incl.)`, fmt(b.moveLog, 1), ''],
    ['  cells, firms, resources', fmt(b.rest, 1), ''],
    ['  every typed array in the world, per alive household', fmt(result.bytesPerHouseholdAllWorldArrays, 1), ''],
    [`heap used MB${gcRan ? ' (after gc)' : ''}`, fmt(result.heapUsedMB, 1), ''],
    ['array buffers MB', fmt(result.arrayBuffersMB, 1), ''],
  ];
  const header = `regensim bench  ${result.date}  node ${result.node}  commit ${commit}${dirty ? ' (uncommitted changes)' : ''}  ` +
    `${result.cpus.count} x ${result.cpus.model}`;
  process.stdout.write(`${header}\n${table(rows)}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
