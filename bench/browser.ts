/**
 * `npm run bench:browser`: the browser lab's figures, measured in headless Chromium.
 *
 * - time for a comparison of the default city: 3 policies (place-based, hub-based, people-based)
 *   and their same-seed counterfactuals × 25 years, from the Run click to `data-status=done`;
 * - the time from opening the page to `data-status=ready` (the workers settle the city in first);
 * - the main thread's long tasks while it runs (PerformanceObserver 'longtask': any task over
 *   50 ms), their count, the longest, and the blocking time (the sum of each one's excess over
 *   50 ms: how long the page could not answer beyond a frame's budget);
 * - the built page's size, gzipped (every file of dist/: page, styles, the engine's worker);
 * - on Linux, the CPU time the browser's threads spent while it runs, by kind (`cpuMs`): the
 *   engine's workers, V8's background threads (mostly its optimising compilers), the page's main
 *   thread, the compositor and GPU process, the rest. On a shared machine the wall time swings
 *   with the neighbours' load; these say where the time went.
 *
 * Like `npm run bench`, it reports and never fails on a missed target: machines are shared.
 *
 *   npm run bench:browser -- [--json] [--years N] [--policies a,b,c] [--no-build]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const PORT = Number(process.env.LAB_PORT ?? 4173);
const URL_BASE = `http://127.0.0.1:${PORT}`;
const TARGET_SECONDS = 5;
const TARGET_LONGTASK_MS = 50;
const TARGET_GZIP_BYTES = 500_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

type CpuKind = 'workers' | 'rendererPool' | 'pageMain' | 'compositing' | 'other';

/**
 * CPU milliseconds of every thread of the browser's processes (Linux: /proc, 10 ms clock ticks),
 * summed by kind; null where /proc is not there. The browser is found as this process's
 * descendants whose command line names Chromium (not the preview server).
 */
function browserCpuMs(): Record<CpuKind, number> | null {
  if (!existsSync('/proc/self/task')) return null;
  const read = (path: string): string | null => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null; // the thread or process ended meanwhile
    }
  };
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
  }
  const out: Record<CpuKind, number> = { workers: 0, rendererPool: 0, pageMain: 0, compositing: 0, other: 0 };
  const queue = [process.pid];
  while (queue.length) {
    const pid = queue.pop()!;
    queue.push(...(children.get(pid) ?? []));
    const cmd = read(`/proc/${pid}/cmdline`) ?? '';
    if (!/chrom/i.test(cmd.split('\0')[0] ?? '')) continue;
    const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * 10;
      const kind: CpuKind =
        type !== 'renderer'
          ? type === 'gpu-process' ? 'compositing' : 'other'
          : comm.startsWith('DedicatedWorker') ? 'workers'
          : comm.startsWith('ThreadPoolForeg') ? 'rendererPool'
          : tid === String(pid) ? 'pageMain'
          : comm.startsWith('Compositor') ? 'compositing'
          : 'other';
      out[kind] += ms;
    }
  }
  return out;
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the preview server did not answer at ${url}`);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const years = Number(arg('--years') ?? 25);
  const policies = arg('--policies') ?? 'place-based,hub-based,people-based';
  if (!process.argv.includes('--no-build')) execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });

  let gzip = 0;
  let raw = 0;
  for (const f of files(DIST)) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }

  const server = spawn(join(ROOT, 'node_modules/.bin/vite'), ['preview', '--port', String(PORT)], { cwd: ROOT, stdio: 'ignore' });
  try {
    await waitForServer(URL_BASE, 30_000);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.addInitScript(() => {
        const w = window as unknown as { __longtasks: { start: number; duration: number }[] };
        w.__longtasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask', buffered: true });
      });
      const loadStart = Date.now();
      await page.goto(`${URL_BASE}/?scenario=baseline&policies=${policies}&seed=1&years=${years}`);
      await page.waitForFunction(() => document.body.dataset.status === 'ready', undefined, { timeout: 120_000 });
      // From opening the page to Run being useful: the workers have settled the seed's city in.
      const readySeconds = (Date.now() - loadStart) / 1000;
      const runs = await page.evaluate(() => (window as unknown as { regensimLab: { run: { plan: { tasks: unknown[] } } } }).regensimLab.run.plan.tasks.length);
      const cpu0 = browserCpuMs();
      const t0 = await page.evaluate(() => performance.now());
      await page.getByTestId('run').click();
      await page.waitForFunction(() => document.body.dataset.status === 'done', undefined, { timeout: 600_000 });
      const t1 = await page.evaluate(() => performance.now());
      const cpu1 = browserCpuMs();
      const cpuMs = cpu0 && cpu1 ? (Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, v - cpu0[k as CpuKind]])) as Record<CpuKind, number>) : null;
      const tasks = await page.evaluate(() => (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks);
      const during = tasks.filter((t) => t.start >= t0 && t.start <= t1);
      const longest = during.reduce((m, t) => Math.max(m, t.duration), 0);
      const blocking = during.reduce((s, t) => s + Math.max(0, t.duration - TARGET_LONGTASK_MS), 0);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const workers = await page.evaluate(() => (window as unknown as { regensimLab: { engine: { inUse: number } } }).regensimLab.engine.inUse);
      const out = {
        compareSeconds: (t1 - t0) / 1000,
        readySeconds,
        runs,
        years,
        policies: policies.split(','),
        workers,
        cores,
        longTasks: during.length,
        longestTaskMs: longest,
        blockingMs: blocking,
        cpuMs,
        loadAverage: existsSync('/proc/loadavg') ? Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) : null,
        gzipBytes: gzip,
        rawBytes: raw,
      };
      console.log(`comparison, default city, ${out.policies.length} policies + counterfactuals (${runs} runs) × ${years} years, ${out.workers} workers on ${cores} cores: ${out.compareSeconds.toFixed(1)} s (target ≤ ${TARGET_SECONDS} s${out.compareSeconds <= TARGET_SECONDS ? ', met' : ', NOT met'})`);
      console.log(`page ready (the city settled in, on load): ${readySeconds.toFixed(1)} s after opening it`);
      console.log(`main-thread long tasks while running: ${during.length}, longest ${longest.toFixed(0)} ms, blocking ${blocking.toFixed(0)} ms (target: none over ${TARGET_LONGTASK_MS} ms${during.length === 0 ? ', met' : ', NOT met'})`);
      if (cpuMs) {
        const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
        const s = (ms: number) => (ms / 1000).toFixed(1);
        console.log(
          `CPU while running: ${s(total)} s — engine workers ${s(cpuMs.workers)}, renderer thread pool (V8's compilers and GC, raster) ${s(cpuMs.rendererPool)}, page main thread ${s(cpuMs.pageMain)}, compositing and GPU process ${s(cpuMs.compositing)}, other ${s(cpuMs.other)} (load average ${out.loadAverage})`,
        );
      }
      console.log(`built page: ${(gzip / 1000).toFixed(1)} kB gzipped, ${(raw / 1000).toFixed(1)} kB raw (target ≤ ${TARGET_GZIP_BYTES / 1000} kB gzipped${gzip <= TARGET_GZIP_BYTES ? ', met' : ', NOT met'})`);
      if (json) console.log(JSON.stringify(out));
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
}

await main();
