/**
 * The experiment runner, store, export and merge end to end on a tiny city: one worker, two
 * workers, a kill -9 and --resume, and two shards merged all export byte-identical rows; failures
 * are recorded and the experiment goes on; bad output directories and mismatched specs are refused
 * before anything runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TINY, cli, exported, tempDir, writeSpec } from './helpers.ts';

const tmp = tempDir('runner');
afterAll(() => tmp.cleanup());
const D = (name: string) => join(tmp.dir, name);

// 2 points × 2 policies × 6 replications = 24 runs of two years.
const SPEC = {
  scenario: 'baseline',
  set: TINY,
  policies: ['none', 'place-based'],
  years: 2,
  seeds: { master: 7, replications: 6 },
  design: { type: 'factorial', parameters: { 'policy.budgetPerYear': [1_000_000, 8_000_000] } },
  metrics: { regions: ['city', 'target'], every: 1 },
};
let spec: string;

const doneCount = (dir: string): number => {
  const db = new Database(join(dir, 'experiment.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'done'").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

async function exportBoth(dir: string): Promise<{ csv: Buffer; parquet: Buffer }> {
  for (const format of ['csv', 'parquet'] as const) {
    const r = await cli('export', dir, '--format', format, '--to', join(dir, `x-${format}`));
    expect(r.code, r.stderr).toBe(0);
  }
  return { csv: exported(join(dir, 'x-csv'), 'csv'), parquet: exported(join(dir, 'x-parquet'), 'parquet') };
}

/** Starts the CLI as its own process and kills it with SIGKILL once `atLeast` runs are recorded. */
async function killMidway(dir: string, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'experiment', spec, '--out', dir, '--workers', '1'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    if (existsSync(join(dir, 'experiment.sqlite')) && doneCount(dir) >= atLeast) break;
    if (child.exitCode !== null) throw new Error('the experiment finished before it could be killed');
  }
  child.kill('SIGKILL');
  await exited;
  return doneCount(dir);
}

describe('regensim experiment', () => {
  let reference: { csv: Buffer; parquet: Buffer };
  /** The CSV and Parquet exports equal the one-worker run's, byte for byte. */
  const expectSameBytes = (got: { csv: Buffer; parquet: Buffer }): void => {
    expect(got.csv.equals(reference.csv)).toBe(true);
    expect(got.parquet.equals(reference.parquet)).toBe(true);
  };

  beforeAll(async () => {
    spec = writeSpec(tmp.dir, 'spec.json', SPEC);
    const r = await cli('experiment', spec, '--out', D('one'), '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('24 of 24 runs done, 0 failed, 0 pending');
    reference = await exportBoth(D('one'));
  });

  it('exports the same bytes with two workers as with one', async () => {
    const r = await cli('experiment', spec, '--out', D('two'), '--workers', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('on 2 workers');
    const two = await exportBoth(D('two'));
    expectSameBytes(two);
  });

  it('finishes after kill -9 with --resume, with no run lost or duplicated, and the same bytes', async () => {
    const before = await killMidway(D('killed'), 3);
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(24);
    const r = await cli('experiment', spec, '--out', D('killed'), '--workers', '2', '--resume');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${before} already recorded, ${24 - before} to run`);
    expect(r.stdout).toContain('24 of 24 runs done');
    const db = new Database(join(D('killed'), 'experiment.sqlite'), { readonly: true });
    const perRun = db.prepare('SELECT run, count(*) AS n FROM metrics GROUP BY run').all() as { n: number }[];
    db.close();
    expect(perRun).toHaveLength(24);
    const resumed = await exportBoth(D('killed'));
    expectSameBytes(resumed);
  });

  it('runs two shards that merge into the same bytes', async () => {
    for (const i of [0, 1]) {
      const r = await cli('experiment', spec, '--out', D(`shard${i}`), '--shard', `${i}/2`, '--workers', '1');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('12 of 12 runs done');
    }
    const m = await cli('merge', D('shard0'), D('shard1'), '--out', D('merged'));
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toContain('24 of 24 runs done');
    const merged = await exportBoth(D('merged'));
    expectSameBytes(merged);
  });

  it('writes tidy sorted long rows, seeds recorded, and Parquet that reads back as the CSV', async () => {
    const csv = readFileSync(join(D('one'), 'x-csv', 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('run,year,region,metric,value');
    const keys = csv.slice(1).map((l) => l.split(',').slice(0, 4));
    const sorted = [...keys].sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]) || a[2]!.localeCompare(b[2]!) || a[3]!.localeCompare(b[3]!));
    expect(keys).toEqual(sorted);
    expect(new Set(keys.map((k) => k[2]))).toEqual(new Set(['city', 'target']));
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(D('one'), 'x-parquet', 'metrics.parquet')) });
    expect(rows).toHaveLength(csv.length - 1);
    const [run, year, region, metric, value] = csv[100]!.split(',');
    expect(rows[99]).toEqual({ run: Number(run), year: Number(year), region, metric, value: value === '' ? null : Number(value) });
    const runs = readFileSync(join(D('one'), 'x-csv', 'runs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    // Replication r has the same seed at every point and policy (common random numbers), and six distinct seeds.
    const seedOf = new Map<string, string>();
    for (const r of runs) {
      const [, , , rep, seed] = r;
      if (seedOf.has(rep!)) expect(seedOf.get(rep!)).toBe(seed);
      seedOf.set(rep!, seed!);
    }
    expect(new Set(seedOf.values()).size).toBe(6);
  });

  it('refuses to write over a store without --resume, and --resume with another spec (exit 2, reason)', async () => {
    const again = await cli('experiment', spec, '--out', D('one'));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds an experiment.*--resume/);
    const other = writeSpec(tmp.dir, 'other.json', { ...SPEC, years: 3 });
    const r = await cli('experiment', other, '--out', D('one'), '--resume');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: .* holds the results of a different experiment \(spec hash/);
    const set = await cli('experiment', spec, '--out', D('one'), '--resume', '--set', 'households.count=1600');
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('different experiment');
    const shard = await cli('experiment', spec, '--out', D('shard0'), '--resume');
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('was started as --shard 0/2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('merge refuses stores of different specs', async () => {
    const other = writeSpec(tmp.dir, 'other2.json', { ...SPEC, seeds: { master: 8, replications: 1 }, policies: ['none'] });
    expect((await cli('experiment', other, '--out', D('other'))).code).toBe(0);
    const r = await cli('merge', D('one'), D('other'), '--out', D('bad-merge'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/made from a different experiment/);
    expect(existsSync(join(D('bad-merge'), 'experiment.sqlite'))).toBe(false);
  });
});

describe('failures and output directories', () => {
  it('records a run that throws as failed with its message, goes on, and exits 1', async () => {
    // Cell 70 exists on a 9 × 8 grid, not on an 8 × 8 one: the 8-wide point fails when its policy starts.
    const file = writeSpec(tmp.dir, 'fail.json', {
      scenario: 'baseline',
      set: { ...TINY, 'policy.boundary': { type: 'cells', cells: [70] } },
      policies: ['none'],
      years: 2,
      seeds: { master: 1, replications: 2 },
      design: { type: 'factorial', parameters: { 'city.width': [8, 9] } },
    });
    const r = await cli('experiment', file, '--out', D('fail'), '--workers', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 of 4 runs done, 2 failed');
    expect(r.stderr).toContain('2 runs failed');
    const db = new Database(join(D('fail'), 'experiment.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT run, point, status, error FROM runs ORDER BY run').all() as { point: number; status: string; error: string | null }[];
    db.close();
    expect(rows.map((x) => [x.point, x.status])).toEqual([[0, 'failed'], [0, 'failed'], [1, 'done'], [1, 'done']]);
    expect(rows[0]!.error).toMatch(/policy\.boundary\.cells: 70 is not a cell/);
    const s = await cli('summarize', D('fail'));
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('2 runs failed');
  });

  it('refuses an output directory it cannot create, before any run, leaving no store', async () => {
    writeFileSync(D('a-file'), 'x');
    const r = await cli('experiment', spec, '--out', join(D('a-file'), 'sub'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*a-file\/sub: cannot create the output directory/);
    expect(r.stderr).not.toContain('runs done');
  });

  it('refuses a full output directory before any run, leaving no store', async (ctx) => {
    const { execFileSync } = await import('node:child_process');
    const mnt = D('full');
    try {
      execFileSync('mkdir', ['-p', mnt]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip('cannot mount a small tmpfs here (needs root) to make a full directory');
    }
    try {
      const r = await cli('experiment', spec, '--out', mnt);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out .*full: not enough free space/);
      expect(existsSync(join(mnt, 'experiment.sqlite'))).toBe(false);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
