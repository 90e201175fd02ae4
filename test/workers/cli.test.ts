import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configHash } from '../../sim/config/load.ts';
import { POLICY_KINDS, type ScenarioConfig } from '../../sim/config/schema.ts';
import type { RunResult } from '../../sim/types.ts';
import { formatMetric, main } from '../../workers/cli.ts';
import { captureCli } from './capture.ts';
import { listScenarios, loadScenario } from '../../workers/scenarios.ts';

// The CLI is tested against a stand-in engine: what is checked here is how flags reach the
// configuration and how results are printed, not the model (its own tests cover that).
const engine = vi.hoisted(() => ({ calls: [] as { config: unknown; opts: { seed: number; years: number } }[] }));
vi.mock('../../sim/simulation.ts', () => ({
  VERSION: 'test',
  runScenario(config: ScenarioConfig, opts: { seed: number; years: number; onYear?: (f: unknown) => void }): RunResult {
    engine.calls.push({ config, opts });
    if (config.name === 'boom') throw new Error('the engine broke');
    // What the engine's boundary code throws when a rule selects nothing (sim/boundaries.ts).
    if (config.name === 'nothing') throw new RangeError('policy.boundary.cells: none of the listed cells has residents');
    const series = Array.from({ length: opts.years + 1 }, (_, year) => ({
      year,
      city: { povertyRate: 0.2 - year * 0.001, unemploymentRate: 0.06, medianIncome: 24000 + year * 100 },
    }));
    for (const f of series) opts.onYear?.(f);
    return {
      version: 'test',
      scenario: config.name,
      policy: config.policy.kind,
      seed: opts.seed,
      years: opts.years,
      configHash: configHash(config),
      final: { city: { households: 50123, povertyRate: 0.182, medianIncome: 23456.7, gini: 0.3456, meanRent: 7812.4 } },
      series,
    };
  },
}));

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'regensim-cli-'));
  const w = (name: string, content: unknown) =>
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  w('good.json', { name: 'good', city: { width: 12, height: 10 }, households: { count: 2000 } });
  w('child.json', { extends: 'baseline', name: 'child', policy: { kind: 'place-based' }, city: { width: 20 } });
  mkdirSync(join(dir, 'sub'));
  w('sub/grandchild.json', { extends: '../child.json', name: 'grandchild', city: { height: 12 } });
  w('loop-a.json', { extends: './loop-b.json', name: 'a' });
  w('loop-b.json', { extends: './loop-a.json', name: 'b' });
  w('unknown-base.json', { extends: 'nowhere', name: 'u' });
  w('bad-field.json', { name: 'bad', city: { widht: 12 } });
  w('bad-kind.json', { name: 'bad', policy: { kind: 'demolish' } });
  w('bad-range.json', { name: 'bad', households: { count: 5 } });
  w('broken.json', '{\n  "name": "broken",\n  "city": { "width": 10, }\n}\n');
  w('boom.json', { name: 'boom', city: { width: 4, height: 4 }, households: { count: 100 } });
  w('nothing.json', { name: 'nothing', city: { width: 4, height: 4 }, households: { count: 100 } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  engine.calls.length = 0;
});

/** Runs main() with stdout and stderr captured. */
function cli(...argv: string[]) {
  return captureCli(main, argv);
}

/** A user error: exit 2, one line on stderr, prefixed, no stack trace, nothing on stdout. */
function expectUserError(r: { code: number; stdout: string; stderr: string }) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^regensim: /);
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

const f = (name: string) => join(dir, name);

describe('help and version', () => {
  it('prints usage for no arguments, help and --help', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      for (const c of ['scenarios', 'run', 'validate', 'schema', 'compare', 'experiment']) expect(r.stdout).toContain(`regensim ${c}`);
      expect(r.stdout).not.toContain('Not available in this version');
    }
  });

  it('lists every command of the interface', async () => {
    const { stdout } = await cli('--help');
    for (const c of ['scenarios', 'run <', 'compare <', 'experiment <', 'merge <', 'summarize <', 'export <', 'validate', 'schema [', 'slurm <']) {
      expect(stdout).toContain(`regensim ${c}`);
    }
  });

  it('prints a command\'s usage with --help after it', async () => {
    const r = await cli('run', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: regensim run <scenario\|file>/);
  });

  it('prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^regensim \d+\.\d+\.\d+\n$/);
  });
});

describe('command errors', () => {
  it('rejects an unknown command, naming it and the available ones', async () => {
    const r = await cli('rnu');
    expectUserError(r);
    expect(r.stderr).toContain('unknown command "rnu"');
    expect(r.stderr).toContain('did you mean "run"');
    expect(r.stderr).toContain('scenarios, run, compare, experiment, merge, summarize, export, validate, schema, slurm');
  });

  it('names a missing experiment file', async () => {
    const r = await cli('experiment', f('no-such-spec.json'), '--out', f('results'));
    expectUserError(r);
    expect(r.stderr).toContain('no-such-spec.json: cannot read the file: no such file');
  });

  it('rejects an unknown global option', async () => {
    const r = await cli('--verbose');
    expectUserError(r);
    expect(r.stderr).toContain('--verbose');
  });
});

describe('scenarios', () => {
  it('lists every bundled scenario with its title', async () => {
    const r = await cli('scenarios');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(listScenarios().length);
    expect(r.stdout).toMatch(/^baseline\s+The default city/m);
  });

  it('prints one scenario\'s teaching note', async () => {
    const r = await cli('scenarios', '--describe', 'baseline');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^baseline: The default city/);
    expect(r.stdout).toContain('poverty');
    expect(r.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
  });

  it('names an unknown scenario for --describe', async () => {
    const r = await cli('scenarios', '--describe', 'baseln');
    expectUserError(r);
    expect(r.stderr).toContain('"baseln"');
    expect(r.stderr).toContain('baseline');
  });

  it('rejects an unknown flag, listing the allowed ones', async () => {
    const r = await cli('scenarios', '--all');
    expectUserError(r);
    expect(r.stderr).toContain('--all');
    expect(r.stderr).toContain('--describe');
  });
});

describe('bundled scenarios', () => {
  it('every bundled scenario loads, validates and has a title and a teaching note', () => {
    for (const s of listScenarios()) {
      expect(loadScenario(s.name).name).toBe(s.name);
      expect(s.title.length).toBeGreaterThan(10);
      expect(s.description.length).toBeGreaterThan(100);
    }
  });

  it('baseline is the default city', () => {
    const c = loadScenario('baseline');
    expect(c.city).toMatchObject({ width: 32, height: 32 });
    expect(c.households.count).toBe(50000);
    expect(c.policy.kind).toBe('none');
    expect(c.run).toEqual({ years: 25, seed: 1, spinUpYears: 15 });
  });
});

describe('validate', () => {
  it('accepts a good file and names the scenario', async () => {
    const r = await cli('validate', f('good.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${f('good.json')}: valid scenario (good)\n`);
    expect(r.stderr).toBe('');
  });

  it('resolves extends: the base fills what the file leaves out', () => {
    const c = loadScenario(f('child.json'));
    expect(c.name).toBe('child');
    expect(c.city.width).toBe(20);
    expect(c.city.height).toBe(32);
    expect(c.households.count).toBe(50000);
    expect(c.policy.kind).toBe('place-based');
    expect(c.run.years).toBe(25);
    expect(c.title).toBe('');
  });

  it('resolves a relative extends path against the file\'s own directory', () => {
    const c = loadScenario(f('sub/grandchild.json'));
    expect(c.name).toBe('grandchild');
    expect(c.city).toMatchObject({ width: 20, height: 12 });
    expect(c.policy.kind).toBe('place-based');
  });

  it('names the field and the allowed keys for an unknown field', async () => {
    const r = await cli('validate', f('bad-field.json'));
    expectUserError(r);
    expect(r.stderr).toContain('bad-field.json');
    expect(r.stderr).toContain('"city.widht"');
    expect(r.stderr).toContain('width, height');
  });

  it('lists the policy kinds for a wrong kind', async () => {
    const r = await cli('validate', f('bad-kind.json'));
    expectUserError(r);
    expect(r.stderr).toContain('policy.kind');
    for (const k of POLICY_KINDS) expect(r.stderr).toContain(k);
  });

  it('gives the range for an out-of-range number', async () => {
    const r = await cli('validate', f('bad-range.json'));
    expectUserError(r);
    expect(r.stderr).toContain('households.count');
    expect(r.stderr).toContain('from 100 to 5000000');
  });

  it('reports an extends cycle between two files, naming the file and the field', async () => {
    const r = await cli('validate', f('loop-a.json'));
    expectUserError(r);
    expect(r.stderr).toMatch(/loop-[ab]\.json: field "extends": a cycle of extends/);
    expect(r.stderr).toContain('loop-a.json →');
  });

  it('reports an unknown base, naming the file, the field and the bundled scenarios', async () => {
    const r = await cli('validate', f('unknown-base.json'));
    expectUserError(r);
    expect(r.stderr).toContain('unknown-base.json: field "extends"');
    expect(r.stderr).toContain('"nowhere"');
    expect(r.stderr).toContain('baseline');
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const r = await cli('validate', f('broken.json'));
    expectUserError(r);
    expect(r.stderr).toContain('broken.json: invalid JSON at line 3, column 26');
  });

  it('names a missing file', async () => {
    const r = await cli('validate', f('missing.json'));
    expectUserError(r);
    expect(r.stderr).toContain('missing.json: cannot read the file: no such file');
  });

  it('needs exactly one file', async () => {
    expectUserError(await cli('validate'));
    expectUserError(await cli('validate', f('good.json'), f('child.json')));
  });
});

describe('schema', () => {
  it('prints the scenario JSON Schema, by default and by name', async () => {
    for (const argv of [['schema'], ['schema', 'scenario']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(s.properties.city.properties.width.maximum).toBe(1000);
      expect(s.properties.policy.properties.kind.enum).toEqual([...POLICY_KINDS]);
    }
  });

  it('names the allowed schemas for anything else', async () => {
    const r = await cli('schema', 'experimnt');
    expectUserError(r);
    expect(r.stderr).toContain('"experimnt"');
    expect(r.stderr).toContain('allowed: scenario');
  });
});

describe('run', () => {
  it('passes the flags into the configuration and prints the result as JSON', async () => {
    const r = await cli('run', 'baseline', '--policy', 'hub-based', '--seed', '7', '--years', '3', '--set', 'city.width=40', '--set', 'policy.durationYears=1', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as RunResult;
    expect(out).toMatchObject({ scenario: 'baseline', policy: 'hub-based', seed: 7, years: 3 });
    expect(out.series.map((s) => s.year)).toEqual([0, 1, 2, 3]);
    expect(engine.calls).toHaveLength(1);
    const { config, opts } = engine.calls[0]!;
    expect(opts).toMatchObject({ seed: 7, years: 3 });
    expect(config).toMatchObject({ city: { width: 40, height: 32 }, policy: { kind: 'hub-based', durationYears: 1 }, run: { seed: 7, years: 3 } });
  });

  it('accepts a file and repeated --set overrides, the last one winning', async () => {
    const r = await cli('run', f('good.json'), '--set', 'city.width=16', '--set', 'city.width=18', '--set', 'policy.kind=integrated', '--json');
    expect(r.code).toBe(0);
    expect(engine.calls[0]!.config).toMatchObject({ name: 'good', city: { width: 18, height: 10 }, policy: { kind: 'integrated' } });
  });

  it('prints a readable summary by default', async () => {
    const r = await cli('run', 'baseline', '--years', '10');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scenario\s+baseline/);
    expect(r.stdout).toMatch(/policy\s+none/);
    expect(r.stdout).toMatch(/years\s+10/);
    expect(r.stdout).toMatch(/povertyRate\s+18\.2%/);
    expect(r.stdout).toMatch(/medianIncome\s+£23,457/);
    expect(r.stdout).toMatch(/households\s+50,123/);
    expect(r.stdout).toMatch(/gini\s+0\.346/);
    // Yearly rows: first and last year at least, and the rates as percentages.
    expect(r.stdout).toMatch(/^\s+0\s+20\.0%\s+6\.0%\s+£24,000$/m);
    expect(r.stdout).toMatch(/^\s+10\s+19\.0%\s+6\.0%\s+£25,000$/m);
  });

  it('flushes stdout before returning', async () => {
    let flushed = false;
    let text = '';
    let errors = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string, cb?: () => void) => {
      errors += chunk;
      cb?.();
      return true;
    }) as typeof process.stderr.write);
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, cb?: () => void) => {
      text += chunk;
      setTimeout(() => {
        flushed = true;
        cb?.();
      }, 20);
      return false;
    }) as typeof process.stdout.write);
    const code = await main(['run', 'baseline', '--years', '2', '--json']);
    vi.restoreAllMocks();
    expect(errors).toBe('');
    expect(code).toBe(0);
    expect(flushed).toBe(true);
    expect(JSON.parse(text).years).toBe(2);
  });

  it('rejects --years -1 and fractional years, naming --years', async () => {
    for (const argv of [['--years', '-1'], ['--years=-1'], ['--years', '2.5'], ['--years', 'ten']]) {
      const r = await cli('run', 'baseline', ...argv);
      expectUserError(r);
      expect(r.stderr).toContain('--years');
      expect(r.stderr).toContain('non-negative integer');
    }
    expect(engine.calls).toHaveLength(0);
  });

  it('names --years when it is over the schema\'s limit', async () => {
    const r = await cli('run', 'baseline', '--years', '500');
    expectUserError(r);
    expect(r.stderr).toContain('--years 500');
    expect(r.stderr).toContain('from 0 to 200');
  });

  it('rejects a bad --seed and an unknown --policy', async () => {
    const s = await cli('run', 'baseline', '--seed', '-3');
    expectUserError(s);
    expect(s.stderr).toContain('--seed');
    const p = await cli('run', 'baseline', '--policy', 'regenerate');
    expectUserError(p);
    expect(p.stderr).toContain('--policy');
    for (const k of POLICY_KINDS) expect(p.stderr).toContain(k);
  });

  it('rejects an unknown --set path, listing the allowed keys there', async () => {
    const r = await cli('run', 'baseline', '--set', 'city.widht=40');
    expectUserError(r);
    expect(r.stderr).toContain('--set city.widht');
    expect(r.stderr).toContain('width, height');
  });

  it('rejects a bad --set value, naming the override and the field', async () => {
    const r = await cli('run', 'baseline', '--set', 'city.width=wide');
    expectUserError(r);
    expect(r.stderr).toContain('--set city.width=wide');
    expect(r.stderr).toContain('field "city.width"');
    expect(r.stderr).toContain('"wide" (a string)');
    const k = await cli('run', 'baseline', '--set', 'policy.kind=nope');
    expectUserError(k);
    expect(k.stderr).toContain('place-based');
  });

  it('rejects --set without =', async () => {
    const r = await cli('run', 'baseline', '--set', 'city.width');
    expectUserError(r);
    expect(r.stderr).toContain('expected path=value');
  });

  it('reports a file error against the file, not an override', async () => {
    const r = await cli('run', f('bad-kind.json'), '--set', 'city.width=20');
    expectUserError(r);
    expect(r.stderr).toContain('bad-kind.json: field "policy.kind"');
  });

  it('rejects unknown flags, a missing value and a missing scenario', async () => {
    const u = await cli('run', 'baseline', '--polcy', 'none');
    expectUserError(u);
    expect(u.stderr).toContain('unknown option --polcy');
    expect(u.stderr).toContain('did you mean "--policy"');
    const m = await cli('run', 'baseline', '--seed');
    expectUserError(m);
    expect(m.stderr).toContain('--seed needs a value');
    const n = await cli('run');
    expectUserError(n);
    expect(n.stderr).toContain('"run" needs a scenario');
    const b = await cli('run', 'basline');
    expectUserError(b);
    expect(b.stderr).toContain('unknown scenario "basline"');
  });

  it('reports a boundary rule the engine finds selects nothing as bad input, naming the field', async () => {
    const r = await cli('run', f('nothing.json'));
    expectUserError(r);
    expect(r.stderr).toMatch(/^regensim: policy\.boundary\.cells: none of the listed cells has residents \(in .*nothing\.json\)\n$/);
  });

  it('reports an engine failure as an internal error with exit 1, with a stack only on request', async () => {
    const r = await cli('run', f('boom.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('regensim: internal error: the engine broke\n');
    vi.stubEnv('REGENSIM_DEBUG', '1');
    const d = await cli('run', f('boom.json'));
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('    at ');
  });
});

describe('formatMetric', () => {
  it('formats rates, money, counts and indices', () => {
    expect(formatMetric('povertyRate', 0.1234)).toBe('12.3%');
    expect(formatMetric('concentratedPovertyShare', 0.5)).toBe('50.0%');
    expect(formatMetric('rentBurden', 0.31)).toBe('31.0%');
    expect(formatMetric('medianIncome', 1234567.8)).toBe('£1,234,568');
    expect(formatMetric('meanRent', 650.2)).toBe('£650');
    expect(formatMetric('povertyLine', 13604.4)).toBe('£13,604');
    expect(formatMetric('jobs', 48210)).toBe('48,210');
    expect(formatMetric('moransI', 0.41234)).toBe('0.412');
    expect(formatMetric('gini', Number.NaN)).toBe('NaN');
  });
});

describe('the regensim command (end to end)', () => {
  const bin = join(ROOT, 'bin/regensim.js');
  const spawn = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [bin, ...args], { cwd: ROOT, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      });
    });

  it('prints the whole JSON Schema into a pipe', async () => {
    const r = await spawn('schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).properties.city.type).toBe('object');
  });

  it('exits 2 with a one-line message and no stack for a bad file', async () => {
    const r = await spawn('validate', f('bad-field.json'));
    expectUserError(r);
    expect(r.stderr).toContain('city.widht');
  });

  it('exits 2 for an unknown command', async () => {
    const r = await spawn('frobnicate');
    expectUserError(r);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});
