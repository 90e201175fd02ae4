/** Shared by the experiment tests: temporary directories, spec files and the CLI in process. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../../workers/cli.ts';
import { captureCli, type Captured } from '../capture.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin', 'regensim.js');

/**
 * A tiny city and a short horizon: a run takes a fraction of a second. Its programme lasts a year
 * from year 1, so that it fits the tests' runs of two years (a programme longer than its run is refused).
 */
export const TINY = { 'city.width': 8, 'city.height': 8, 'households.count': 1500, 'policy.startYear': 1, 'policy.durationYears': 1 };

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `regensim-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeSpec(dir: string, name: string, spec: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

export const cli = (...argv: string[]): Promise<Captured> => captureCli(main, argv);

/** The deterministic export tables of a directory, concatenated (timings left out). */
export function exported(dir: string, format: 'csv' | 'parquet'): Buffer {
  return Buffer.concat(['metrics', 'runs', 'parameters', 'points'].map((t) => readFileSync(join(dir, `${t}.${format}`))));
}
