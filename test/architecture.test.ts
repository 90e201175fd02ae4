/**
 * Architecture rules (ARCHITECTURE.md, conventions 1, 3 and the data flow): `sim/` is pure and
 * self-contained, mechanisms and metrics know nothing of policies, the engine's version matches
 * the package, and the typed-array stores hold only in-range links (JavaScript does not throw when
 * a typed array is indexed out of bounds: it reads `undefined` and writes nothing).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION, createSimulation } from '../sim/simulation.ts';
import type { World } from '../sim/world.ts';
import { smallConfig } from './sim/helpers.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SIM = join(ROOT, 'sim');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

/**
 * Splits a source text into code without comments (`code`: string literals kept, for import
 * specifiers) and code without comments or string contents (`bare`: for identifiers). A small
 * scanner rather than a regular expression, so that `'//'` inside a string or a `"` inside a
 * comment cannot fool it. Regular-expression literals are recognised by the token before them.
 */
function scan(src: string): { code: string; bare: string } {
  let code = '';
  let bare = '';
  let i = 0;
  const templateDepth: number[] = []; // brace depth at which each open template's `${` closes
  let braces = 0;
  let lastSignificant = '';
  const emit = (s: string, b: string = s): void => {
    code += s;
    bare += b;
  };
  const readString = (quote: string): void => {
    let j = i + 1;
    while (j < src.length && src[j] !== quote) {
      if (src[j] === '\\') j++;
      else if (src[j] === '\n' && quote !== '`') break;
      j++;
    }
    emit(src.slice(i, j + 1), quote + quote);
    i = j + 1;
  };
  const readTemplate = (): void => {
    // From just after '`' or '}' (closing a `${`) to the next '`' or '${'.
    let j = i;
    while (j < src.length && src[j] !== '`' && !(src[j] === '$' && src[j + 1] === '{')) {
      if (src[j] === '\\') j++;
      j++;
    }
    code += src.slice(i, j);
    if (src[j] === '`') {
      emit('`');
      i = j + 1;
    } else {
      emit('${');
      templateDepth.push(braces);
      braces++;
      i = j + 2;
    }
  };
  while (i < src.length) {
    const ch = src[i]!;
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      const newlines = src.slice(i, stop).replace(/[^\n]/g, '');
      emit(' ' + newlines);
      i = stop;
      continue;
    }
    if (ch === '"' || ch === "'") {
      readString(ch);
      lastSignificant = 'x';
      continue;
    }
    if (ch === '`') {
      emit('`');
      i++;
      readTemplate();
      lastSignificant = 'x';
      continue;
    }
    if (ch === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) {
      // A regular-expression literal.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      emit(src.slice(i, j + 1), '/ /');
      i = j + 1;
      lastSignificant = 'x';
      continue;
    }
    if (ch === '{') braces++;
    if (ch === '}') {
      braces--;
      if (templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces) {
        templateDepth.pop();
        emit('}');
        i++;
        readTemplate();
        lastSignificant = 'x';
        continue;
      }
    }
    emit(ch);
    if (!/\s/.test(ch)) lastSignificant = /[\w$)\]]/.test(ch) ? 'x' : ch;
    i++;
  }
  return { code, bare };
}

/** Module specifiers of static imports, re-exports, side-effect imports and dynamic imports. */
function importsOf(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[2]!);
  return out;
}

/** Host facilities the engine must not touch (convention 1), matched on `bare` code. */
const FORBIDDEN: [string, RegExp][] = [
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['document', /(?<![.\w$])document\b/],
  ['window', /(?<![.\w$])window\b/],
  ['globalThis.document/window', /\bglobalThis\s*\.\s*(?:document|window)\b/],
  ['setTimeout', /(?<![.\w$])setTimeout\b/],
  ['setInterval', /(?<![.\w$])setInterval\b/],
  ['setImmediate', /(?<![.\w$])setImmediate\b/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['Date.now', /\bDate\s*\.\s*now\b/],
];

describe('the source scanner used by these rules', () => {
  it('ignores comments and strings but sees code', () => {
    const src = [
      '// Math.random() in a comment',
      '/* window.setTimeout */ const a = "document"; const b = `Math.random ${1 + 1}`;',
      "const re = /['\"]/g; const c = Math.random();",
      'const t = `x ${ { y: setInterval } } z`;',
    ].join('\n');
    const { bare } = scan(src);
    const hits = FORBIDDEN.filter(([, re]) => re.test(bare)).map(([name]) => name);
    expect(hits).toEqual(['Math.random', 'setInterval']);
  });

  it('finds import specifiers of every form', () => {
    const { code } = scan([
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '../b.ts';",
      "export * from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "// import { f } from './f.ts';",
    ].join('\n'));
    expect(importsOf(code).sort()).toEqual(['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts']);
  });
});

describe('sim/ is pure and self-contained', () => {
  const files = sourceFiles(SIM);
  const rel = (p: string): string => relative(ROOT, p).split(sep).join('/');
  const deps = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {});

  /** Relative imports resolved to repository paths, per sim file. */
  const graph = new Map<string, string[]>();
  const bare = new Map<string, string[]>();
  for (const file of files) {
    const { code } = scan(readFileSync(file, 'utf8'));
    const specs = importsOf(code);
    graph.set(rel(file), specs.filter((s) => s.startsWith('.')).map((s) => rel(resolve(dirname(file), s))));
    bare.set(rel(file), specs.filter((s) => !s.startsWith('.')));
  }

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(graph.has('sim/step.ts')).toBe(true);
  });

  it('imports nothing from ui/ or workers/ (nor anything else outside sim/)', () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) if (!t.startsWith('sim/')) bad.push(`${file} → ${t}`);
    }
    expect(bad).toEqual([]);
  });

  it('imports only declared runtime dependencies (no Node built-ins: the engine also runs in a browser worker)', () => {
    const bad: string[] = [];
    for (const [file, specs] of bare) {
      for (const s of specs) {
        const pkg = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
        if (!deps.includes(pkg)) bad.push(`${file} → ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('touches no Math.random, DOM, timer or clock', () => {
    const bad: string[] = [];
    for (const file of files) {
      const { bare: text } = scan(readFileSync(file, 'utf8'));
      for (const [name, re] of FORBIDDEN) if (re.test(text)) bad.push(`${rel(file)} uses ${name}`);
    }
    expect(bad).toEqual([]);
  });

  /** Every sim file reachable from `start` through relative imports. */
  const reach = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const f = stack.pop()!;
      for (const t of graph.get(f) ?? []) {
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
      }
    }
    return seen;
  };

  it('keeps mechanisms (sim/subsystems) and metrics (sim/metrics) free of policies, directly or not', () => {
    const bad: string[] = [];
    for (const file of graph.keys()) {
      if (!file.startsWith('sim/subsystems/') && !file.startsWith('sim/metrics/')) continue;
      for (const t of reach(file)) if (t.startsWith('sim/policies/')) bad.push(`${file} → ${t}`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps mechanisms free of the metric reporters', () => {
    const bad: string[] = [];
    for (const file of graph.keys()) {
      if (!file.startsWith('sim/subsystems/')) continue;
      for (const t of reach(file)) if (t === 'sim/metrics/reporters.ts') bad.push(`${file} → ${t}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('versions', () => {
  it('reports the package version as the engine version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('typed-array stores hold only in-range links after a run', () => {
  let w: World;
  beforeAll(() => {
    const sim = createSimulation(smallConfig(), { seed: 40 });
    // Demolition and an incentive exercise the links that redevelopment and relocation rewrite.
    sim.step(3);
    const c = sim.world.cells;
    let k = 0;
    for (let j = 1; j < c.n; j++) if (c.households[j]! > c.households[k]!) k = j;
    c.demolish[k] = c.units[k]!;
    c.rebuildUnits[k] = 20;
    c.rebuildQuality[k] = 0.8;
    for (let j = 0; j < c.n; j += 7) c.subsidy[j] = 0.8;
    sim.step(13);
    w = sim.world;
  });

  it('households: cell in [-1, n), employer in [-1, firms.count), counts within capacity', () => {
    const h = w.households;
    const n = w.cells.n;
    expect(h.count).toBeLessThanOrEqual(h.capacity);
    expect(h.freeCount).toBeLessThanOrEqual(h.count);
    let bad = 0;
    for (let s = 0; s < h.count; s++) {
      if (!(h.cell[s]! >= -1 && h.cell[s]! < n)) bad++;
      if (!(h.employer[s]! >= -1 && h.employer[s]! < w.firms.count)) bad++;
      // A start cell, -1, or a grown child's mark of one (grownChildMark: -2 - cell).
      if (h.alive[s] && !(h.startCell[s]! >= -1 - n && h.startCell[s]! < n)) bad++;
    }
    expect(bad).toBe(0);
    // Free slots are distinct, dead, and below the high-water mark.
    const free = new Set<number>();
    for (let j = 0; j < h.freeCount; j++) {
      const s = h.free[j]!;
      expect(s >= 0 && s < h.count && !h.alive[s] && !free.has(s)).toBe(true);
      free.add(s);
    }
  });

  it('firms, resources, neighbourhoods and the move log point at existing cells and entities', () => {
    const n = w.cells.n;
    const f = w.firms;
    expect(f.count).toBeLessThanOrEqual(f.capacity);
    for (let i = 0; i < f.count; i++) {
      if (f.alive[i]) expect(f.cell[i]! >= 0 && f.cell[i]! < n).toBe(true);
      expect(f.movedFrom[i]! >= -1 && f.movedFrom[i]! < n).toBe(true);
    }
    const r = w.resources;
    for (let i = 0; i < r.count; i++) expect(r.cell[i]! >= 0 && r.cell[i]! < n).toBe(true);
    const c = w.cells;
    for (let k = 0; k < n; k++) {
      expect(c.school[k]! >= -1 && c.school[k]! < r.count).toBe(true);
      expect(c.clinic[k]! >= -1 && c.clinic[k]! < r.count).toBe(true);
      for (const a of [c.units, c.social, c.occMarket, c.occSocial, c.households, c.poor, c.unemployed, c.labourForce]) expect(a[k]!).toBeGreaterThanOrEqual(0);
    }
    const m = w.moves;
    expect(m.length).toBeLessThanOrEqual(m.hid.length);
    for (let i = 0; i < m.length; i++) {
      expect(m.from[i]! >= -1 && m.from[i]! < n && m.to[i]! >= -1 && m.to[i]! < n).toBe(true);
      expect(m.hid[i]! >= 0 && m.hid[i]! < w.households.nextId).toBe(true);
    }
    for (const list of [w.commute, w.demand]) {
      expect(list.offset).toHaveLength(n + 1);
      expect(list.offset[n]).toBe(list.index.length);
      for (const k of list.index) expect(k >= 0 && k < n).toBe(true);
    }
    const { start, list } = w.firmIndex;
    expect(start).toHaveLength(n + 1);
    for (let e = 0; e < start[n]!; e++) expect(list[e]! >= 0 && list[e]! < f.count).toBe(true);
  });
});
