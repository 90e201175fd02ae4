/**
 * From plain JSON to a validated scenario: `extends` resolution, `--set` overrides, validation
 * with one readable message, the exported JSON Schema and a stable configuration hash.
 *
 * Pure: no file system, no Node modules. The host (CLI, browser worker) reads files and hands
 * this module plain objects plus a `lookup` for named bases, so the same rules apply everywhere.
 *
 * Every error is a `ConfigError` naming the source, the dotted field and what is allowed
 * (Observable Plot's `keyword(input, name, allowed)` style), never a raw zod dump.
 */
import { z } from 'zod';
import {
  CITY_GROUPS,
  INTEGRATED_FIXED_HUB_FIELDS,
  POLICY_FIELD_KINDS,
  POLICY_KINDS,
  scenarioSchema,
  type ScenarioConfig,
} from './schema.ts';

/** A user error in a scenario, an override or a scenario reference. */
export class ConfigError extends Error {
  /** Dotted path of the offending field (`city.width`), or `''` for the whole scenario. */
  readonly field: string;

  constructor(message: string, field = '') {
    super(message);
    this.name = 'ConfigError';
    this.field = field;
  }
}

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** "a string", "an array", `12`… for messages that say what was given. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `${JSON.stringify(v)} (a string)`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const quoteList = (xs: readonly string[]) => xs.join(', ');

// ---------------------------------------------------------------------------------------------
// Walking the schema. zod 4 keeps every wrapper's definition in `_zod.def`; defaults, prefaults,
// optionals and pipes wrap the schema that says which keys and values are allowed.

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (d.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) {
      cur = d.innerType;
    } else if (d.type === 'pipe' && d.in) {
      cur = d.in;
    } else {
      return cur;
    }
  }
}

/** The object shape of an (unwrapped) schema, or undefined if it is not an object. */
function shapeOf(s: z.ZodType): Record<string, z.ZodType> | undefined {
  const d = defOf(unwrap(s));
  return d.type === 'object' ? d.shape : undefined;
}

/** The field schema at a path of the scenario, wrappers included; undefined if there is none. */
export function schemaAt(path: readonly (string | number)[]): z.ZodType | undefined {
  let cur: z.ZodType = scenarioSchema;
  for (const key of path) {
    const shape = shapeOf(cur);
    if (!shape || typeof key !== 'string' || !Object.hasOwn(shape, key)) return undefined;
    cur = shape[key]!;
  }
  return cur;
}

/** The keys allowed in the object at `path` (`[]` = the scenario itself). */
export function allowedKeys(path: readonly (string | number)[]): string[] {
  const s = schemaAt(path);
  const shape = s && shapeOf(s);
  return shape ? Object.keys(shape) : [];
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string
 * alignment), for "did you mean" hints: `widht` is one slip away from `width`.
 */
function distance(a: string, b: string): number {
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const d: number[][] = Array.from({ length: al.length + 1 }, (_, i) =>
    Array.from({ length: bl.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= al.length; i++) {
    for (let j = 1; j <= bl.length; j++) {
      const cost = al[i - 1] === bl[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && al[i - 1] === bl[j - 2] && al[i - 2] === bl[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[al.length]![bl.length]!;
}

/** ` (did you mean "width"?)` when one allowed name is close enough, else `''`. */
export function suggest(given: string, allowed: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const a of allowed) {
    const d = distance(given, a);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best && bestD <= Math.max(1, Math.floor(given.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');
const levelName = (path: readonly PropertyKey[]) => (path.length ? dotted(path) : 'the scenario');

/** What a field accepts, in words: "an integer from 2 to 1000", "one of: none, …". */
export function expectedFor(path: readonly (string | number)[]): string | undefined {
  const s = schemaAt(path);
  if (!s) return undefined;
  let js: Record<string, unknown>;
  try {
    js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (Array.isArray(js.enum)) return `one of: ${quoteList(js.enum.map(String))}`;
  if (js.type === 'integer' || js.type === 'number') {
    const noun = js.type === 'integer' ? 'an integer' : 'a number';
    const lo = js.minimum ?? js.exclusiveMinimum;
    const hi = js.maximum ?? js.exclusiveMaximum;
    const loOp = js.minimum !== undefined ? '≥' : '>';
    const hiOp = js.maximum !== undefined ? '≤' : '<';
    if (js.minimum !== undefined && js.maximum !== undefined) return `${noun} from ${lo} to ${hi}`;
    const parts = [];
    if (lo !== undefined) parts.push(`${loOp} ${lo}`);
    if (hi !== undefined) parts.push(`${hiOp} ${hi}`);
    return parts.length ? `${noun} ${parts.join(' and ')}` : noun;
  }
  if (js.type === 'string') return typeof js.minLength === 'number' && js.minLength > 0 ? 'a non-empty string' : 'a string';
  if (js.type === 'boolean') return 'true or false';
  if (js.type === 'object') return `an object with fields: ${quoteList(allowedKeys(path))}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// extends

/** Objects merge key by key (the child wins); arrays and scalars replace. */
function deepMerge(base: Plain, child: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(child)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/**
 * These describe a file, not the city it sets up: a scenario that extends `baseline` is not
 * called "baseline" and does not carry baseline's teaching note.
 */
const OWN_FIELDS = ['name', 'title', 'description', 'note', '$schema', 'extends'] as const;

/**
 * Resolves `"extends": "<name>"`: the base (itself resolved, recursively) is deep-merged under the
 * scenario's own fields. `name`, `title`, `description` and `note` are the scenario's own, never
 * inherited; `extends` is dropped from the result. Each file in the chain may write only fields
 * its model and policy kind read (`checkKindFields`). `lookup` returns a base's plain JSON, or
 * undefined if there is no such base; `known` lists the names it can supply, for the message.
 */
export function resolveExtends(
  input: unknown,
  source: string,
  lookup: (name: string) => unknown | undefined,
  known?: readonly string[],
): Plain {
  return resolveChain(input, source, lookup, known, [source]);
}

function resolveChain(
  input: unknown,
  source: string,
  lookup: (name: string) => unknown | undefined,
  known: readonly string[] | undefined,
  chain: string[],
): Plain {
  if (!isPlain(input)) {
    throw new ConfigError(`${source}: a scenario must be a JSON object, got ${describeValue(input)}.`);
  }
  if (!('extends' in input)) {
    checkKindFields(input, input, source);
    return { ...input };
  }
  const { extends: baseName, ...own } = input;
  if (typeof baseName !== 'string' || baseName === '') {
    throw new ConfigError(
      `${source}: field "extends": expected the name of a bundled scenario or a file path, got ${describeValue(baseName)}.`,
      'extends',
    );
  }
  if (chain.includes(baseName)) {
    throw new ConfigError(
      `${source}: field "extends": a cycle of extends: ${[...chain, baseName].join(' → ')}. ` +
        'A scenario cannot extend itself, directly or through others.',
      'extends',
    );
  }
  const base = lookup(baseName);
  if (base === undefined) {
    const list = known?.length ? `; known scenarios: ${quoteList(known)}${suggest(baseName, known)}` : '';
    throw new ConfigError(
      `${source}: field "extends": no scenario or file "${baseName}" to extend${list}.`,
      'extends',
    );
  }
  const resolvedBase = resolveChain(base, baseName, lookup, known, [...chain, baseName]);
  for (const k of OWN_FIELDS) delete resolvedBase[k];
  const merged = deepMerge(resolvedBase, own);
  checkKindFields(own, merged, source);
  return merged;
}

// ---------------------------------------------------------------------------------------------
// fields the model or the policy kind does not read

/**
 * Why the field at `path` is not read by the scenario's model and policy kind, or undefined when
 * it is (or when the model or kind is itself invalid: validation reports that).
 */
export function kindFieldProblem(path: readonly string[], model: unknown, kind: unknown): string | undefined {
  const [top, field, sub] = path;
  if (top === undefined) return undefined;
  const m = model ?? 'city';
  if (m === 'schelling' && (CITY_GROUPS as readonly string[]).includes(top)) {
    return 'the Schelling model does not read it (it has no city, households or policy); it reads name, title, description, note, extends, model, schelling and run';
  }
  if (m === 'city' && top === 'schelling') {
    return 'only the Schelling model reads it; add "model": "schelling" or remove the field';
  }
  if (top !== 'policy' || field === undefined || m !== 'city') return undefined;
  const k = kind ?? 'none';
  if (typeof k !== 'string' || !(POLICY_KINDS as readonly string[]).includes(k)) return undefined;
  const takers = POLICY_FIELD_KINDS[field];
  if (takers && !(takers as readonly string[]).includes(k)) {
    return `policy kind "${k}" does not read it; it is read by ${quoteList(takers)}`;
  }
  if (k === 'integrated' && field === 'hub' && sub !== undefined && (INTEGRATED_FIXED_HUB_FIELDS as readonly string[]).includes(sub)) {
    return 'the integrated policy is a multi-department partnership with no institutional friction and full departmental coverage, so it does not read it; set it under policy kind "hub-based"';
  }
  return undefined;
}

/** The dotted paths of a plain object's leaves and empty objects (`policy.hub.friction`). */
function leafPaths(o: Plain, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (isPlain(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, [...prefix, k]));
    else out.push([...prefix, k]);
  }
  return out;
}

/**
 * Refuses fields a file writes that its model or policy kind does not read, judged by the model
 * and kind in force once the file is merged over its base: a file that extends `weston` and
 * switches to place-based may leave weston's hub settings behind, but may not write new ones.
 */
export function checkKindFields(own: Plain, resolved: Plain, source: string): void {
  const policy = resolved.policy;
  const kind = isPlain(policy) ? policy.kind : undefined;
  for (const path of leafPaths(own)) {
    const why = kindFieldProblem(path, resolved.model, kind);
    if (why) {
      // Name the field at the depth that matters (policy.hub.friction, or a whole group).
      const depth = path[0] === 'policy' ? (path[1] === 'hub' && kind === 'integrated' ? 3 : 2) : 1;
      const field = dotted(path.slice(0, depth));
      throw new ConfigError(`${source}: field "${field}": ${why}.`, field);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// --set

/** Splits `path=value` at the first `=`. */
export function splitSet(arg: string): [path: string, raw: string] {
  const i = arg.indexOf('=');
  if (i <= 0) {
    throw new ConfigError(
      `--set ${arg}: expected path=value, for example --set city.width=40 or --set policy.kind=place-based.`,
      arg,
    );
  }
  return [arg.slice(0, i), arg.slice(i + 1)];
}

function isStringField(path: readonly string[]): boolean {
  const s = schemaAt(path);
  if (!s) return false;
  const t = defOf(unwrap(s)).type;
  return t === 'string' || t === 'enum';
}

/**
 * Returns a copy of `obj` with the field at the dotted `path` set to `raw`, read as JSON when it
 * parses (`40`, `true`, `[1,2]`, `"x"`) and as a bare string otherwise (`place-based`). A string
 * field keeps the raw text even when it looks like JSON, so `--set name=2024` names a scenario
 * "2024". An object value merges into the object there, like `extends`. The path must exist in
 * the schema; the value is checked later by `validateScenario`.
 */
export function applySet(obj: object, path: string, raw: string): Plain {
  const keys = path.split('.');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const parent = keys.slice(0, i);
    const allowed = allowedKeys(parent);
    if (!allowed.length) {
      throw new ConfigError(
        `--set ${path}: ${dotted(parent)} is a single value, it has no field "${key}".`,
        path,
      );
    }
    if (key === '' || !allowed.includes(key)) {
      throw new ConfigError(
        `--set ${path}: unknown field "${key}" in ${levelName(parent)}${suggest(key, allowed)}; ` +
          `allowed fields there: ${quoteList(allowed)}.`,
        path,
      );
    }
  }
  if (keys[0] === 'extends') {
    throw new ConfigError(`--set ${path}: "extends" is resolved when the file is read; write it in the file.`, path);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  if (typeof value !== 'string' && isStringField(keys)) value = raw;

  const setIn = (cur: unknown, depth: number): unknown => {
    if (depth === keys.length) return isPlain(cur) && isPlain(value) ? deepMerge(cur, value) : value;
    if (cur !== undefined && !isPlain(cur)) {
      const at = dotted(keys.slice(0, depth));
      throw new ConfigError(
        `--set ${path}: ${at} should be an object, but the scenario gives ${describeValue(cur)}.`,
        at,
      );
    }
    const o: Plain = { ...(cur ?? {}) };
    o[keys[depth]!] = setIn(o[keys[depth]!], depth + 1);
    return o;
  };
  return setIn(obj, 0) as Plain;
}

// ---------------------------------------------------------------------------------------------
// validation

/** The value at a path of keys in plain data; undefined where the path leaves the data. */
export function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** One issue in words: `field "city.width": expected an integer from 2 to 1000, got 1`. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): { field: string; text: string } {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    const key = issue.keys[0]!;
    const others = issue.keys.length > 1 ? ` (also ${quoteList(issue.keys.slice(1).map((k) => `"${k}"`))})` : '';
    return {
      field: dotted([...path, key]),
      text:
        `unknown field "${dotted([...path, key])}"${others}${suggest(key, allowed)}; ` +
        `allowed fields in ${levelName(path)}: ${quoteList(allowed)}`,
    };
  }
  const field = dotted(path);
  const name = path.length ? `field "${field}"` : 'the scenario';
  const given = describeValue(valueAt(input, path));
  if (issue.code === 'custom') return { field, text: `${name}: ${issue.message}` };
  const expected = expectedFor(path);
  if (issue.code === 'invalid_type' && valueAt(input, path) === undefined) {
    return { field, text: `${name} is required${expected ? `: ${expected}` : ''}` };
  }
  if (expected) return { field, text: `${name}: expected ${expected}, got ${given}` };
  if (issue.code === 'invalid_type') return { field, text: `${name}: expected ${issue.expected}, got ${given}` };
  return { field, text: `${name}: ${issue.message}, got ${given}` };
}

/**
 * Validates and fills defaults. On failure throws one ConfigError: the source, the first
 * problem's field, what is allowed and what was given, and how many other fields have problems.
 */
export function validateScenario(obj: unknown, source: string): ScenarioConfig {
  const r = scenarioSchema.safeParse(obj);
  if (r.success) {
    // `extends` has done its work once resolved; leaving it would make the same city hash differently.
    // Left out by a rest pattern, not a spread and a delete: Node 20's V8 gives a spread's copy a
    // new hidden class at nearly every call once this function has feedback, and every subsystem
    // reads the run's configuration, so each run's new shape threw their optimised code away.
    const { extends: _resolved, ...out } = r.data;
    void _resolved;
    checkProgrammeInRun(out, source);
    return out;
  }
  const issues = r.error.issues;
  const first = describeIssue(issues[0]!, obj);
  const fields = new Set(issues.map((i) => describeIssue(i, obj).field));
  fields.delete(first.field);
  const more = fields.size ? ` (and ${fields.size} more field${fields.size > 1 ? 's' : ''} with problems)` : '';
  throw new ConfigError(`${source}: ${first.text}${more}.`, first.field);
}

/**
 * A programme may not last longer than its whole run: such a duration is a slip (a budget over
 * years that cannot happen), not a question. A programme that starts late enough to be cut off by
 * the run's end is allowed — a run can stop mid-programme to look at it then — and `compare` says
 * how much of it a comparison sees. Only a city scenario with a policy to run is checked: the city
 * alone (`none`) may run for any number of years.
 */
function checkProgrammeInRun(config: ScenarioConfig, source: string): void {
  if (config.model !== 'city' || config.policy.kind === 'none') return;
  const { startYear, durationYears } = config.policy;
  const years = config.run.years;
  if (durationYears <= years) return;
  throw new ConfigError(
    `${source}: field "policy.durationYears": expected at most ${years} (the run's length, run.years), got ${durationYears}: ` +
      `the ${config.policy.kind} programme would outlast the run; run at least ${startYear + durationYears} years (run.years, --years) to see it whole.`,
    'policy.durationYears',
  );
}

/** The JSON Schema of a scenario file (what an editor or another language validates against). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: 'input' }) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// hash

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlain(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/**
 * A 16-hex-digit FNV-1a 64 hash of the canonical JSON (sorted keys) of what shapes the city and
 * its dynamics: the seed and the descriptive fields are left out, so runs of one configuration
 * over many seeds, or under two names, share a hash.
 */
export function configHash(config: ScenarioConfig): string {
  const { name: _n, title: _t, description: _d, note: _note, $schema: _s, extends: _e, model, schelling, ...rest } = config;
  const { seed: _seed, ...run } = rest.run;
  // The city model's hash leaves out the model switch and the Schelling group, so that adding
  // them changed no city configuration's hash; a Schelling run's hash is of what it reads.
  const shaped = model === 'city' ? { ...rest, run } : { model, schelling, run };
  const bytes = new TextEncoder().encode(canonical(shaped));
  let h = FNV_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  return h.toString(16).padStart(16, '0');
}
