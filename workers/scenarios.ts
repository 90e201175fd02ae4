/**
 * Scenario files on disk (Node hosts): the bundled scenarios in `scenarios/*.json` and the user's
 * own files. Reading, JSON errors and relative `extends` paths live here; the rules (merge,
 * overrides, validation) are the pure ones in sim/config/load.ts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  applySet,
  kindFieldProblem,
  resolveExtends,
  splitSet,
  suggest,
  validateScenario,
} from '../sim/config/load.ts';
import { NOTE_SECTIONS, type ScenarioConfig } from '../sim/config/schema.ts';
import { anchorSmallAreaPaths, readSmallAreas } from './smallAreas.ts';

/** The package root: this file sits in `<root>/workers/`. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SCENARIOS_DIR = resolve(PACKAGE_ROOT, 'scenarios');

/** A reference is a file path when it contains a slash or ends with `.json`; else a bundled name. */
export const isPathRef = (ref: string) => ref.includes('/') || ref.includes('\\') || ref.endsWith('.json');

/** Names of the bundled scenarios, sorted. */
export function bundledNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Reads and parses a JSON file; any failure is a ConfigError naming the file. */
export function readJsonFile(file: string, shown = file): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(`${shown}: cannot read the file: ${why}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /at position (\d+)/.exec(msg);
    const lc = /\(line (\d+) column (\d+)\)/.exec(msg);
    const where = lc
      ? ` at line ${lc[1]}, column ${lc[2]}`
      : pos
        ? (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, Number(pos[1])))
        : '';
    const reason = msg.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
    throw new ConfigError(`${shown}: invalid JSON${where}: ${reason}.`);
  }
}

/** How a file path appears in messages: relative to the working directory when inside it. */
function display(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

const canonicalRef = (ref: string, fromDir: string) => (isPathRef(ref) ? display(resolve(fromDir, ref)) : ref);

/**
 * Reads a scenario file. A relative `extends` path in it means "relative to this file"; the pure
 * resolver knows nothing of directories, so the path is rewritten here to its canonical form
 * (see `display`), which also makes a cycle through files show up as a repeated name.
 */
function readScenarioFile(abs: string, shown: string): unknown {
  // Small-area files named in a scenario are relative to it, like `extends`.
  const json = anchorSmallAreaPaths(readJsonFile(abs, shown), dirname(abs));
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const ext = (json as Record<string, unknown>).extends;
    if (typeof ext === 'string' && isPathRef(ext)) return { ...json, extends: canonicalRef(ext, dirname(abs)) };
  }
  return json;
}

const bundledFile = (name: string) => resolve(SCENARIOS_DIR, `${name}.json`);

/** Finds a base for `extends`: a bundled name, or a canonical path; undefined if there is none. */
function lookupBase(name: string): unknown | undefined {
  if (isPathRef(name)) {
    const abs = resolve(name);
    return existsSync(abs) ? readScenarioFile(abs, name) : undefined;
  }
  return bundledNames().includes(name) ? readScenarioFile(bundledFile(name), `scenarios/${name}.json`) : undefined;
}

/** An override from a dedicated flag (`--years 30`), reported under the flag's own name. */
export interface FlagOverride {
  /** How the user wrote it, for messages: `--years 30`. */
  label: string;
  /** Dotted scenario path. */
  path: string;
  /** Raw text, read like a `--set` value. */
  raw: string;
}

/**
 * Loads a scenario by bundled name or file path: `extends` resolved, then the `--set path=value`
 * overrides (and flag overrides) applied in order, then validated with defaults filled. A problem
 * in the file is reported against the file; a problem an override introduced, against it.
 */
export function loadScenario(nameOrPath: string, sets: string[] = [], flags: FlagOverride[] = []): ScenarioConfig {
  let raw: unknown;
  let self: string;
  const source = nameOrPath;
  if (isPathRef(nameOrPath)) {
    self = display(resolve(nameOrPath));
    raw = readScenarioFile(resolve(nameOrPath), nameOrPath);
  } else {
    const names = bundledNames();
    if (!names.includes(nameOrPath)) {
      throw new ConfigError(
        `unknown scenario "${nameOrPath}"${suggest(nameOrPath, names)}; bundled scenarios: ${names.join(', ')}. ` +
          'To load a file, give its path (for example ./my-city.json).',
        'scenario',
      );
    }
    self = nameOrPath;
    raw = readScenarioFile(bundledFile(nameOrPath), `scenarios/${nameOrPath}.json`);
  }

  // The top of the chain is named canonically so that a file extended by its own base is a cycle.
  let obj = resolveExtends(raw, self, lookupBase, bundledNames());
  let config = validateScenario(obj, source);

  const overrides = [
    ...sets.map((s) => {
      const [path, value] = splitSet(s);
      return { label: `--set ${s}`, path, raw: value };
    }),
    ...flags,
  ];
  if (!overrides.length) return readSmallAreas(config, PACKAGE_ROOT);
  for (const o of overrides) {
    try {
      obj = applySet(obj, o.path, o.raw);
    } catch (err) {
      if (err instanceof ConfigError && !o.label.startsWith('--set')) {
        throw new ConfigError(err.message.replace(`--set ${o.path}`, o.label), err.field);
      }
      throw err;
    }
  }
  try {
    config = validateScenario(obj, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The file alone was valid, so an override caused this: name the one that touched the field.
    const culprit =
      [...overrides].reverse().find((o) => err.field === o.path || err.field.startsWith(`${o.path}.`)) ??
      [...overrides].reverse().find((o) => o.path.startsWith(`${err.field}.`));
    const by = culprit ? culprit.label : overrides.map((o) => o.label).join(' ');
    throw new ConfigError(err.message.replace(`${source}: `, `${by}: `), err.field);
  }
  // An override of a field the final model or policy kind does not read would change nothing.
  for (const o of overrides) {
    const why = kindFieldProblem(o.path.split('.'), config.model, config.policy.kind);
    if (why) throw new ConfigError(`${o.label}: field "${o.path}": ${why}.`, o.path);
  }
  return readSmallAreas(config, PACKAGE_ROOT);
}

/** A bundled scenario's teaching note: its sections in order, with their headings. */
export interface NoteSection {
  key: string;
  heading: string;
  text: string;
}

/** The bundled scenarios' one-line titles and teaching notes, as written in their files. */
export function listScenarios(): { name: string; title: string; description: string; note: NoteSection[] }[] {
  return bundledNames().map((name) => {
    const json = readJsonFile(bundledFile(name), `scenarios/${name}.json`);
    const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
    const note = (o.note && typeof o.note === 'object' ? o.note : {}) as Record<string, unknown>;
    return {
      name,
      title: typeof o.title === 'string' ? o.title : '',
      description: typeof o.description === 'string' ? o.description : '',
      note: NOTE_SECTIONS.flatMap(([key, heading]) =>
        typeof note[key] === 'string' ? [{ key, heading, text: note[key] as string }] : [],
      ),
    };
  });
}
