/**
 * The experiment spec: a batch experiment as data (ARCHITECTURE.md, convention 11), in the manner
 * of NetLogo's BehaviorSpace: a base scenario with overrides, the policies, a parameter design,
 * replications with seeds derived from a master seed, the horizon, and which metrics to keep.
 *
 * One zod schema is the source of the TypeScript type, the validation and the JSON Schema
 * (`regensim schema experiment`), as for scenarios. `planExperiment` turns a parsed spec into the
 * full, numbered list of runs; every design point is validated as a scenario before any run
 * starts, so a bad path or value stops the experiment with a message naming it.
 */
import { z } from 'zod';
import { ConfigError, allowedKeys, configHash, describeValue, schemaAt, suggest, validateScenario, valueAt } from '../../sim/config/load.ts';
import { POLICY_KINDS, type ScenarioConfig } from '../../sim/config/schema.ts';
import { boundaryRuleOf } from '../../sim/policies/index.ts';
import { mix32 } from '../../sim/rng.ts';
import { REGIONS, VIEWS } from '../../sim/types.ts';
import { expandDesign, type DesignPoint } from './design.ts';

/** Blocks of a yearly frame that can be kept: regions, people views and programme reporters. */
export const BLOCKS = [...REGIONS, ...VIEWS, 'outputs', 'spending', 'churn'] as const;

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const range = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo < hi, { message: 'a range [min, max] needs min < max' })
  .describe('[min, max]');
const pathRecord = <T extends z.ZodType>(value: T) =>
  z.record(z.string().min(1), value).refine((r) => Object.keys(r).length > 0, { message: 'at least one parameter is needed' });

export const factorialSchema = z
  .object({
    type: z.literal('factorial'),
    parameters: pathRecord(z.array(scalar).min(1)).describe('dotted scenario path → the values it takes; every combination is a design point'),
  })
  .strict();

export const lhsSchema = z
  .object({
    type: z.literal('lhs'),
    parameters: pathRecord(range).describe('dotted scenario path → [min, max]'),
    samples: z.number().int().min(1).max(100_000).describe('design points (one per stratum of every range)'),
  })
  .strict();

export const morrisSchema = z
  .object({
    type: z.literal('morris'),
    parameters: pathRecord(range).describe('dotted scenario path → [min, max]'),
    trajectories: z.number().int().min(2).max(10_000).default(10).describe('one-at-a-time trajectories (each k + 1 points)'),
    levels: z.number().int().min(2).max(100).default(4).describe('grid levels of each range (Morris 1991: p, even)'),
  })
  .strict();

export const sobolSchema = z
  .object({
    type: z.literal('sobol'),
    parameters: pathRecord(range).describe('dotted scenario path → [min, max]'),
    samples: z.number().int().min(2).max(100_000).describe('base samples N: the design has N × (k + 2) points (Saltelli 2010)'),
    bootstrap: z.number().int().min(10).max(100_000).default(500).describe('bootstrap resamples for the intervals of the indices'),
  })
  .strict();

export const designSchema = z.discriminatedUnion('type', [factorialSchema, lhsSchema, morrisSchema, sobolSchema]);

export const experimentSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).optional().describe('a name for the experiment (defaults to the file name)'),
    scenario: z.string().min(1).describe('bundled scenario name, or a scenario file path (relative to this file)'),
    set: z.record(z.string().min(1), z.union([scalar, z.array(z.unknown()), z.record(z.string(), z.unknown())])).default({})
      .describe('overrides of the base scenario: dotted path → value (like --set)'),
    policies: z.array(z.enum(POLICY_KINDS)).min(1).default(['none']).describe('policies run at every design point'),
    years: z.number().int().min(1).max(200).optional().describe("simulated years of every run (default: the scenario's run.years)"),
    seeds: z
      .object({
        master: z.number().int().min(0).max(2 ** 53 - 1).describe('master seed: run seeds and the design sample derive from it'),
        replications: z.number().int().min(1).max(100_000).describe('runs per policy and design point, each with its own derived seed'),
      })
      .strict(),
    design: designSchema.optional().describe('parameter design; without one every policy runs at the base scenario'),
    metrics: z
      .object({
        regions: z.array(z.enum(BLOCKS)).min(1).default(['city', 'target', 'ring', 'comparison', 'rest'])
          .describe('frame blocks to keep: regions, people views, outputs, spending, churn'),
        names: z.array(z.string().min(1)).min(1).optional().describe('metric names to keep (default: every metric of the kept blocks)'),
        every: z.number().int().min(1).max(200).default(1).describe('keep every n-th year (the first and the final year always)'),
      })
      .strict()
      .prefault({}),
    outputs: z.array(z.string().regex(/^[A-Za-z]+\.[A-Za-z]+$/, 'expected "<region>.<metric>"')).min(1)
      .default(['city.povertyRate', 'city.unemploymentRate', 'city.medianIncome', 'target.povertyRate'])
      .describe('"<region>.<metric>" outcomes (final year) that summarize analyses'),
  })
  .strict();

export type ExperimentSpec = z.output<typeof experimentSchema>;
export type DesignSpec = z.output<typeof designSchema>;

/** The JSON Schema of an experiment file. */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(experimentSchema, { io: 'input' }) as Record<string, unknown>;
}

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');


const TOP_KEYS = Object.keys(experimentSchema.shape);

/** Validates a spec; one ConfigError naming the source, the field, what is allowed and what was given. */
export function validateExperiment(obj: unknown, source: string): ExperimentSpec {
  const r = experimentSchema.safeParse(obj);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path as (string | number)[];
  let text: string;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const allowed = path.length === 0 ? TOP_KEYS : [];
    text = `unknown field "${dotted([...path, key])}"${suggest(key, allowed)}${allowed.length ? `; allowed fields: ${allowed.join(', ')}` : ''}`;
  } else if ((dotted(path) === 'design' && typeof valueAt(obj, path) === 'object') || dotted(path) === 'design.type') {
    text = `field "design.type": expected one of: factorial, lhs, morris, sobol, got ${describeValue(valueAt(obj, [...path, 'type']))}`;
  } else {
    const given = valueAt(obj, path);
    const name = path.length ? `field "${dotted(path)}"` : 'the experiment';
    text = given === undefined && issue.code === 'invalid_type' ? `${name} is required (${issue.message})` : `${name}: ${issue.message}, got ${describeValue(given)}`;
  }
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''})` : '';
  throw new ConfigError(`${source}: ${text}${more}.`, dotted(path));
}

/** JSON with sorted keys: equal specs give equal text, whatever order their fields were written in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** FNV-1a 64 of a text, as 16 hex digits. */
export function hash64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

/** How run seeds derive from the master seed: recorded in the manifest. */
export const SEED_DERIVATION = 'fmix32(fmix32(master) + replication) v2';

/**
 * The seed of replication r: murmur3's finaliser of (a hash of the master seed + r), modulo 2^32.
 * The finaliser is a bijection of 32-bit integers, so the replications of an experiment never
 * share a seed (up to 2^32 of them), while the seeds look unrelated to one another and to those
 * of a neighbouring master seed. Every policy and design point uses the same seed for a
 * replication: common random numbers, so differences between them are effects, not luck.
 */
export function deriveSeed(master: number, replication: number): number {
  const lo = master >>> 0;
  const hi = Math.floor(master / 2 ** 32) >>> 0;
  const base = mix32(mix32(lo ^ 0x9e3779b9) ^ Math.imul(hi + 1, 0x85ebca6b));
  return mix32((base + replication) >>> 0);
}

/** Returns a copy of `obj` with the value at a dotted path replaced (objects along it created). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const out: Record<string, unknown> = { ...obj };
  let cur = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const next = cur[k];
    cur[k] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = value;
  return out;
}

/** Whether a dotted path is a field of the scenario; a ConfigError naming it and the spec field if not. */
export function checkScenarioPath(path: string, field: string, source: string): void {
  const keys = path.split('.');
  for (let i = 0; i < keys.length; i++) {
    const s = schemaAt(keys.slice(0, i + 1));
    if (!s) {
      const parent = keys.slice(0, i);
      const allowed = allowedKeys(parent);
      throw new ConfigError(
        `${source}: ${field}: "${path}" is not a scenario field: no "${keys[i]}" in ${parent.length ? parent.join('.') : 'the scenario'}` +
          `${suggest(keys[i]!, allowed)}. See \`regensim schema\` for the fields.`,
        field,
      );
    }
  }
  if (keys[0] === 'extends' || keys[0] === 'name' || path === 'run' || path === 'run.years' || path === 'run.seed') {
    throw new ConfigError(
      `${source}: ${field}: "${path}" cannot vary in an experiment (the name, extends, run.years and run.seed are set by the experiment itself).`,
      field,
    );
  }
  if (path === 'policy.kind') {
    throw new ConfigError(`${source}: ${field}: vary the policy with "policies", not with "policy.kind".`, field);
  }
}

/** True when the scenario field at `path` takes integers (ranged designs round to it). */
export function isIntegerField(path: string): boolean {
  const s = schemaAt(path.split('.'));
  if (!s) return false;
  try {
    const js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return js.type === 'integer';
  } catch {
    return false;
  }
}

/** One run of the plan: its number is its identity in the store, in every shard and every export. */
export interface PlannedRun {
  run: number;
  point: number;
  policy: string;
  replication: number;
  seed: number;
  /** Canonical JSON of the boundary rule the run's target is drawn by (null without one). */
  targetRule: string | null;
}

/** Everything needed to run, store and analyse an experiment, derived from the spec alone. */
export interface ExperimentPlan {
  name: string;
  spec: ExperimentSpec;
  /** The base scenario after overrides, validated (defaults filled). */
  base: ScenarioConfig;
  years: number;
  /** Hash of what determines the runs' rows: the spec (canonical) and the resolved base scenario. */
  specHash: string;
  parameters: string[];
  points: DesignPoint[];
  seeds: number[];
  /** Runs in id order: point-major, then policy (spec order), then replication. */
  runs: PlannedRun[];
}

/** The configuration of one design point and policy (validated when the plan was made). */
export function runConfig(plan: Pick<ExperimentPlan, 'base' | 'name' | 'years'>, point: DesignPoint, policy: string, source = 'experiment'): ScenarioConfig {
  let obj: Record<string, unknown> = { ...(plan.base as unknown as Record<string, unknown>) };
  for (const [path, value] of Object.entries(point.values)) obj = setPath(obj, path, value);
  obj = setPath(obj, 'policy.kind', policy);
  obj = setPath(obj, 'run.years', plan.years);
  const where = Object.entries(point.values).map(([p, v]) => `${p}=${JSON.stringify(v)}`).join(', ');
  return validateScenario(obj, `${source}: design point ${point.point}${where ? ` (${where})` : ''}, policy ${policy}`);
}

/**
 * The latest year a programme of the plan ends, over its design points and policies other than
 * `none`, when that is past the runs' end (no programme may outlast its run, but one that starts
 * late may be cut off by the run's end); else undefined.
 */
export function programmeCutAt(plan: Pick<ExperimentPlan, 'base' | 'name' | 'years' | 'points' | 'spec'>): number | undefined {
  let end = 0;
  for (const point of plan.points) {
    for (const policy of plan.spec.policies) {
      if (policy === 'none') continue;
      const p = runConfig(plan, point, policy).policy;
      end = Math.max(end, p.startYear + p.durationYears);
    }
  }
  return end > plan.years ? end : undefined;
}

/**
 * Plans an experiment: the base scenario (loaded by the caller, overrides applied), the design
 * points, the seeds and the numbered runs. Every point × policy configuration is validated here.
 */
export function planExperiment(spec: ExperimentSpec, base: ScenarioConfig, name: string, source: string): ExperimentPlan {
  const years = spec.years ?? base.run.years;
  if (years < 1) throw new ConfigError(`${source}: field "years": an experiment needs at least 1 year, and the scenario's run.years is ${years}.`, 'years');
  const design = spec.design;
  if (design) for (const path of Object.keys(design.parameters)) checkScenarioPath(path, `design.parameters."${path}"`, source);
  const points = expandDesign(design, spec.seeds.master, source);
  const parameters = design ? Object.keys(design.parameters).sort() : [];
  const seeds = Array.from({ length: spec.seeds.replications }, (_, r) => deriveSeed(spec.seeds.master, r));
  const runs: PlannedRun[] = [];
  const planBase = { base, name, years };
  for (const point of points) {
    for (const policy of spec.policies) {
      const cfg = runConfig(planBase, point, policy, source);
      const rule = boundaryRuleOf(cfg);
      const targetRule = rule ? canonical(rule) : null;
      for (let r = 0; r < seeds.length; r++) {
        runs.push({ run: runs.length, point: point.point, policy, replication: r, seed: seeds[r]!, targetRule });
      }
    }
  }
  const specHash = hash64(canonical({ spec: { ...spec, name: undefined, $schema: undefined }, base: configHash(base), years }));
  return { name, spec, base, years, specHash, parameters, points, seeds, runs };
}

/** The runs of shard i of n: every n-th run from the i-th, so each shard gets a spread of points. */
export function shardRuns<T extends { run: number }>(runs: readonly T[], shard: { index: number; count: number } | null): T[] {
  return shard ? runs.filter((r) => r.run % shard.count === shard.index) : [...runs];
}

/** Parses `--shard i/n` (i from 0 to n − 1). */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) {
    throw new ConfigError(`--shard ${raw}: expected i/n with n ≥ 1 and i from 0 to n − 1 (for example --shard 0/4).`, '--shard');
  }
  return { index, count };
}
