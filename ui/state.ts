/**
 * The lab's state and its URL. Everything that decides a run — scenario (bundled name or an
 * uploaded file), parameter overrides, policies, seed, replications, years, and the year reached —
 * lives in the query string, so a link replays the same run bit for bit (the engine is
 * deterministic in its configuration and seed).
 *
 * Overrides are kept as `path=value` strings, exactly like the command line's `--set`, and are
 * applied and validated by the same functions (sim/config/load.ts).
 */
import { ConfigError, applySet, validateScenario } from '../sim/config/load.ts';
import { POLICY_KINDS, type PolicyKind, type ScenarioConfig } from '../sim/config/schema.ts';
import { BUNDLED_NAMES, resolveScenario, bundled, withSmallAreas } from './scenarios.ts';
import { planComparison } from '../workers/compare-plan.ts';

export interface LabState {
  /** A bundled scenario's name; ignored when `upload` is set. */
  scenario: string;
  /** An uploaded scenario file as written (its `extends` resolved at build time). */
  upload: Record<string, unknown> | null;
  policies: PolicyKind[];
  /** Dotted scenario path → raw value, as `--set path=value`. */
  sets: Record<string, string>;
  seed: number;
  /** Seeds per policy (seed, seed+1, …): two or more give the evaluation's intervals. */
  seeds: number;
  years: number;
  /** The year the run has reached: a shared link replays to it. */
  year: number;
}

export const MAX_YEARS = 60;
export const MAX_SEEDS = 10;

export const DEFAULT_STATE: LabState = {
  scenario: 'baseline',
  upload: null,
  policies: ['place-based', 'hub-based'],
  sets: {},
  seed: 1,
  seeds: 1,
  years: 25,
  year: 0,
};

/** base64url of UTF-8 text (uploaded scenarios travel in the URL). */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeState(s: LabState): string {
  const q = new URLSearchParams();
  if (s.upload) q.set('upload', toBase64Url(JSON.stringify(s.upload)));
  else q.set('scenario', s.scenario);
  q.set('policies', s.policies.join(','));
  q.set('seed', String(s.seed));
  if (s.seeds !== 1) q.set('seeds', String(s.seeds));
  q.set('years', String(s.years));
  if (s.year > 0) q.set('year', String(s.year));
  for (const [path, raw] of Object.entries(s.sets).sort(([a], [b]) => a.localeCompare(b))) q.append('set', `${path}=${raw}`);
  return `?${q.toString()}`;
}

function intParam(q: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`URL parameter "${name}": expected an integer from ${min} to ${max}, got "${raw}".`, name);
  }
  return Number(raw);
}

/**
 * Reads a state from a query string. An empty query gives the default state; anything present
 * must be valid, and the error names the parameter. The configuration is built once here so that
 * a bad override is reported now, not when the run starts.
 */
export function decodeState(search: string): LabState {
  const q = new URLSearchParams(search);
  const s: LabState = { ...DEFAULT_STATE, sets: {}, policies: [...DEFAULT_STATE.policies] };
  const known = [...q.keys()];
  const allowed = ['scenario', 'upload', 'policies', 'seed', 'seeds', 'years', 'year', 'set'];
  const unknown = known.find((k) => !allowed.includes(k));
  if (unknown) throw new ConfigError(`URL parameter "${unknown}" is not one the lab reads; it reads: ${allowed.join(', ')}.`, unknown);
  const upload = q.get('upload');
  if (upload !== null) {
    let text: string;
    try {
      text = fromBase64Url(upload);
    } catch {
      throw new ConfigError('URL parameter "upload": not a scenario encoded by the lab (bad base64).', 'upload');
    }
    try {
      s.upload = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`URL parameter "upload": invalid JSON: ${(err as Error).message}.`, 'upload');
    }
  } else if (q.has('scenario')) {
    const name = q.get('scenario')!;
    if (!bundled(name)) {
      throw new ConfigError(`URL parameter "scenario": no bundled scenario "${name}"; bundled: ${BUNDLED_NAMES.join(', ')}.`, 'scenario');
    }
    s.scenario = name;
  }
  if (q.has('policies')) {
    const list = q.get('policies')!.split(',').filter((p) => p !== '');
    const bad = list.find((p) => !(POLICY_KINDS as readonly string[]).includes(p));
    if (bad !== undefined) {
      throw new ConfigError(`URL parameter "policies": "${bad}" is not a policy kind; kinds: ${POLICY_KINDS.join(', ')}.`, 'policies');
    }
    if (!list.length) throw new ConfigError('URL parameter "policies": choose at least one policy.', 'policies');
    s.policies = [...new Set(list)] as PolicyKind[];
  }
  s.seed = intParam(q, 'seed', 0, Number.MAX_SAFE_INTEGER, s.seed);
  s.seeds = intParam(q, 'seeds', 1, MAX_SEEDS, s.seeds);
  s.years = intParam(q, 'years', 1, MAX_YEARS, s.years);
  s.year = intParam(q, 'year', 0, s.years, 0);
  for (const entry of q.getAll('set')) {
    const i = entry.indexOf('=');
    if (i <= 0) throw new ConfigError(`URL parameter "set": expected path=value, got "${entry}".`, 'set');
    s.sets[entry.slice(0, i)] = entry.slice(i + 1);
  }
  buildConfig(s);
  return s;
}

/** Rewrites the command line's wording of an override error for the lab. */
function labWording(err: unknown): never {
  if (err instanceof ConfigError) throw new ConfigError(err.message.replace(/--set /g, 'parameter ').replace('(run.years, --years)', '(Years)').replace("(the run's length, run.years)", "(the run's length: Years)"), err.field);
  throw err;
}

/** The scenario object before overrides: the upload or the bundled file, `extends` resolved. */
export function baseScenario(s: LabState): Record<string, unknown> {
  if (s.upload) return resolveScenario(s.upload, typeof s.upload.name === 'string' ? `uploaded scenario "${s.upload.name}"` : 'uploaded scenario');
  const b = bundled(s.scenario);
  if (!b) throw new ConfigError(`no bundled scenario "${s.scenario}"; bundled: ${BUNDLED_NAMES.join(', ')}.`, 'scenario');
  return resolveScenario(b.raw, s.scenario);
}

/** The validated configuration the runs use: scenario, overrides, seed and years. */
export function buildConfig(s: LabState): ScenarioConfig {
  let obj: Record<string, unknown> = baseScenario(s);
  try {
    for (const [path, raw] of Object.entries(s.sets)) obj = applySet(obj, path, raw);
  } catch (err) {
    labWording(err);
  }
  const source = s.upload ? 'uploaded scenario' : s.scenario;
  try {
    const config = validateScenario(obj, source);
    const out = withSmallAreas(validateScenario({ ...config, run: { ...config.run, seed: s.seed, years: s.years } }, source), source);
    // What a chosen policy's runs would refuse before they start (a programme longer than the run)
    // is refused with the settings that cause it, not when Run is pressed.
    if (s.policies.length) planComparison(out, s.policies, seedsOf(s), s.years);
    return out;
  } catch (err) {
    return labWording(err);
  }
}

/** The seeds of a comparison: `seed`, `seed + 1`, … */
export const seedsOf = (s: LabState): number[] => Array.from({ length: s.seeds }, (_, i) => s.seed + i);

/** The scenario as a file: what "download JSON" saves and "upload" reads back. */
export function scenarioFile(s: LabState): Record<string, unknown> {
  const config = buildConfig(s);
  return { ...config };
}
