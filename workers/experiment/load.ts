/**
 * Reading an experiment file (Node hosts): JSON errors, the base scenario (bundled name, or a file
 * relative to the spec), the spec's `set` overrides and the command line's `--set`, then the plan.
 */
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../../sim/config/load.ts';
import { isPathRef, loadScenario, readJsonFile } from '../scenarios.ts';
import { planExperiment, validateExperiment, type ExperimentPlan, type ExperimentSpec } from './spec.ts';

/** True when a parsed JSON file looks like an experiment rather than a scenario. */
export function looksLikeExperiment(json: unknown): boolean {
  return !!json && typeof json === 'object' && !Array.isArray(json) && ('scenario' in json || 'design' in json || 'seeds' in json);
}

/** Reads and validates an experiment file, without planning it. */
export function readExperiment(file: string): ExperimentSpec {
  return validateExperiment(readJsonFile(file), file);
}

/** `--set` text → the value it stands for, as the scenario loader reads it (JSON, else the text). */
function setValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Loads and plans an experiment file. Command-line `--set path=value` overrides are folded into
 * the spec's `set` (after its own), so they are part of the spec hash: a store resumed or merged
 * with other overrides is refused.
 */
export function loadExperiment(file: string, sets: readonly string[] = []): ExperimentPlan {
  const spec = readExperiment(file);
  const merged: Record<string, unknown> = { ...spec.set };
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new ConfigError(`--set ${s}: expected path=value, for example --set city.width=12.`, '--set');
    merged[s.slice(0, i)] = setValue(s.slice(i + 1));
  }
  const full: ExperimentSpec = { ...spec, set: merged as ExperimentSpec['set'] };
  const ref = isPathRef(full.scenario) ? resolve(dirname(resolve(file)), full.scenario) : full.scenario;
  const overrides = Object.entries(merged).map(([path, v]) => `${path}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  let base;
  try {
    base = loadScenario(ref, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(`${file}: field "${err.field === 'scenario' ? 'scenario' : 'set'}": ${err.message}`, err.field);
    }
    throw err;
  }
  const name = full.name ?? basename(file).replace(/\.json$/, '');
  return planExperiment(full, base, name, file);
}
