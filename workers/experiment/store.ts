/**
 * The results store: one SQLite file (`experiment.sqlite`) in the output directory, written by
 * better-sqlite3 from the main thread only (workers return results; one writer, no locks to share).
 *
 * Tables (long form, keyed by run id; a run's rows never depend on which worker or shard ran it):
 * - `manifest(key, value)`: regensim version, git commit, spec hash, the spec, RNG algorithm,
 *   seed derivation, Node version, shard;
 * - `points(point, role, sample, parameter)` and `parameters(point, parameter, value, label)`;
 * - `runs(run, point, policy, replication, seed, target_rule, status, error, started_at, ms, host)`:
 *   the whole plan, written before the first run, every run 'pending' until it is 'done' or
 *   'failed'; the timing columns are the only ones that change from one execution to another;
 * - `metrics(run, year, region, metric, value)`.
 *
 * Each finished run is one transaction (its metrics and its status together), in WAL mode: a
 * crash or kill -9 loses at most the runs in flight, never half a run, and `--resume` runs
 * exactly the runs still 'pending'.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../sim/config/load.ts';
import { RNG_ALGORITHM } from '../../sim/rng.ts';
import { VERSION } from '../../sim/simulation.ts';
import type { RunResult } from '../../sim/types.ts';
import { PACKAGE_ROOT } from '../scenarios.ts';
import { SEED_DERIVATION, canonical, type ExperimentPlan } from './spec.ts';

export const STORE_FILE = 'experiment.sqlite';
/** Format of the tables; a store of another format is refused rather than misread. */
export const STORE_FORMAT = '1';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (point INTEGER PRIMARY KEY, role TEXT NOT NULL, sample INTEGER, parameter TEXT);
CREATE TABLE parameters (point INTEGER NOT NULL, parameter TEXT NOT NULL, value REAL, label TEXT NOT NULL,
  PRIMARY KEY (point, parameter)) WITHOUT ROWID;
CREATE TABLE runs (run INTEGER PRIMARY KEY, point INTEGER NOT NULL, policy TEXT NOT NULL, replication INTEGER NOT NULL,
  seed INTEGER NOT NULL, target_rule TEXT, status TEXT NOT NULL DEFAULT 'pending', error TEXT,
  started_at TEXT, ms REAL, host TEXT);
CREATE INDEX runs_status ON runs (status);
CREATE TABLE metrics (run INTEGER NOT NULL, year INTEGER NOT NULL, region TEXT NOT NULL, metric TEXT NOT NULL, value REAL,
  PRIMARY KEY (run, year, region, metric)) WITHOUT ROWID;
`;

export const storePath = (dir: string) => join(dir, STORE_FILE);
export const hasStore = (dir: string) => existsSync(storePath(dir));

/** The git commit of the sources, when they are a git checkout with git installed. */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return '';
  }
}

function tune(db: Db): void {
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of the process (kill -9); only a power loss can drop the
  // last commits, and never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
}

export function openStore(dir: string, readonly = false): Db {
  const file = storePath(dir);
  if (!existsSync(file)) throw new ConfigError(`${dir}: no experiment store here (expected ${STORE_FILE}).`, dir);
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: true });
  } catch (err) {
    throw new ConfigError(`${dir}: cannot open the experiment store: ${(err as Error).message}.`, dir);
  }
  if (!readonly) tune(db);
  let format: string | undefined;
  try {
    format = manifestOf(db).format;
  } catch {
    format = undefined;
  }
  if (format !== STORE_FORMAT) {
    db.close();
    throw new ConfigError(`${dir}: ${STORE_FILE} is not a regensim experiment store of format ${STORE_FORMAT}.`, dir);
  }
  return db;
}

export function manifestOf(db: Db): Record<string, string> {
  const rows = db.prepare('SELECT key, value FROM manifest').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export interface ManifestExtra {
  /** `i/n` for a shard store, `all` for a whole experiment (or a merge). */
  shard: string;
}

/** The manifest of a plan: what a result needs to be reproduced and compared. */
export function manifestFor(plan: ExperimentPlan, extra: ManifestExtra): Record<string, string> {
  return {
    format: STORE_FORMAT,
    name: plan.name,
    regensimVersion: VERSION,
    gitCommit: gitCommit(),
    specHash: plan.specHash,
    spec: canonical(plan.spec),
    baseScenario: canonical(plan.base),
    years: String(plan.years),
    rngAlgorithm: RNG_ALGORITHM,
    seedDerivation: SEED_DERIVATION,
    node: process.version,
    shard: extra.shard,
    runs: String(plan.runs.length),
  };
}

/**
 * Creates the store with its plan (manifest, points, parameters, every run pending). The file is
 * written under a temporary name and renamed into place once complete, so a store either holds
 * its whole plan or does not exist: a kill during creation leaves nothing that --resume would
 * misread. Any failure (an unwritable directory, a full disk) throws before a single run starts;
 * the caller removes what is left of the temporary file.
 */
export function createStore(dir: string, plan: ExperimentPlan, manifest: Record<string, string>): Db {
  const partial = `${storePath(dir)}.partial`;
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${partial}${suffix}`, { force: true });
  const db = new Database(partial);
  try {
    db.exec(SCHEMA);
    const write = db.transaction(() => {
      const m = db.prepare('INSERT INTO manifest (key, value) VALUES (?, ?)');
      for (const [k, v] of Object.entries(manifest)) m.run(k, v);
      const p = db.prepare('INSERT INTO points (point, role, sample, parameter) VALUES (?, ?, ?, ?)');
      const v = db.prepare('INSERT INTO parameters (point, parameter, value, label) VALUES (?, ?, ?, ?)');
      for (const pt of plan.points) {
        p.run(pt.point, pt.role, pt.sample, pt.parameter);
        for (const [name, value] of Object.entries(pt.values)) {
          v.run(pt.point, name, typeof value === 'number' ? value : null, JSON.stringify(value));
        }
      }
      const r = db.prepare('INSERT INTO runs (run, point, policy, replication, seed, target_rule) VALUES (?, ?, ?, ?, ?, ?)');
      for (const run of plan.runs) r.run(run.run, run.point, run.policy, run.replication, run.seed, run.targetRule);
    });
    write();
  } finally {
    db.close();
  }
  renameSync(partial, storePath(dir));
  const out = new Database(storePath(dir), { fileMustExist: true });
  tune(out);
  return out;
}

/** Removes a store file and its companions (WAL, shared memory, a partial creation). */
export function removeStoreFiles(dir: string): void {
  for (const base of [storePath(dir), `${storePath(dir)}.partial`]) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${base}${suffix}`, { force: true });
  }
}

/** Which metrics of a run are kept: blocks, names, and every n-th year (first and last always). */
export interface MetricsFilter {
  regions: readonly string[];
  names?: readonly string[];
  every: number;
}

/** The long rows of one run's series that the filter keeps, in a fixed order. */
export function metricRows(result: RunResult, filter: MetricsFilter): [number, string, string, number | null][] {
  const rows: [number, string, string, number | null][] = [];
  const names = filter.names ? new Set(filter.names) : null;
  const last = result.series.at(-1)?.year;
  for (const frame of result.series) {
    if (frame.year % filter.every !== 0 && frame.year !== last) continue;
    for (const region of filter.regions) {
      const block = (frame as unknown as Record<string, Record<string, number> | undefined>)[region];
      if (!block) continue;
      for (const metric of Object.keys(block).sort()) {
        if (names && !names.has(metric)) continue;
        const v = block[metric]!;
        // SQLite has no NaN: a metric undefined for an empty region is stored as NULL.
        rows.push([frame.year, region, metric, Number.isFinite(v) ? v : null]);
      }
    }
  }
  return rows;
}

export interface RunOutcome {
  run: number;
  result?: RunResult;
  error?: string;
  startedAt: string;
  ms: number;
}

/** Records runs as they finish: one transaction per run, metrics and status together. */
export function createRecorder(db: Db, filter: MetricsFilter): (o: RunOutcome) => void {
  const clear = db.prepare('DELETE FROM metrics WHERE run = ?');
  const insert = db.prepare('INSERT INTO metrics (run, year, region, metric, value) VALUES (?, ?, ?, ?, ?)');
  const finish = db.prepare("UPDATE runs SET status = ?, error = ?, started_at = ?, ms = ?, host = ? WHERE run = ? AND status = 'pending'");
  const host = hostname();
  return db.transaction((o: RunOutcome) => {
    // A run recorded twice (a merge, an overlapping shard) keeps its first record.
    const changed = finish.run(o.result ? 'done' : 'failed', o.error ?? null, o.startedAt, Math.round(o.ms * 1000) / 1000, host, o.run);
    if (changed.changes === 0) return;
    clear.run(o.run);
    if (o.result) for (const [year, region, metric, value] of metricRows(o.result, filter)) insert.run(o.run, year, region, metric, value);
  });
}

export interface StoreCounts {
  total: number;
  done: number;
  failed: number;
  pending: number;
}

export function countRuns(db: Db, runIds?: (run: number) => boolean): StoreCounts {
  const rows = db.prepare('SELECT run, status FROM runs').all() as { run: number; status: string }[];
  const c: StoreCounts = { total: 0, done: 0, failed: 0, pending: 0 };
  for (const r of rows) {
    if (runIds && !runIds(r.run)) continue;
    c.total++;
    if (r.status === 'done') c.done++;
    else if (r.status === 'failed') c.failed++;
    else c.pending++;
  }
  return c;
}

/** Writes the WAL back into the main file and closes: the store is then one self-contained file. */
export function closeStore(db: Db): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
