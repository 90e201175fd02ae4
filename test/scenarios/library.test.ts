/**
 * The scenario library as a user meets it: every bundled scenario validates and runs a few
 * years, `regensim scenarios` lists them with one line each and shows their teaching notes, a
 * user file can extend one, and files that write what their model or policy kind does not read
 * are refused (exit 2, naming the file and the field). Runs here use the real engine on small
 * cities and two or three years: cheap, and enough to see every scenario's blocks appear.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTE_SECTIONS } from '../../sim/config/schema.ts';
import { runScenario } from '../../sim/simulation.ts';
import type { RunResult } from '../../sim/types.ts';
import { main } from '../../workers/cli.ts';
import { aggregate, formatComparison, planComparison } from '../../workers/compare.ts';
import { listScenarios, loadScenario } from '../../workers/scenarios.ts';
import { captureCli } from '../workers/capture.ts';
import { SMALL_CITY, run } from './helpers.ts';

/** The smoke test's city: 12 × 12 cells, 4,000 households (a third of a second to create). */
const TINY_CITY = ['city.width=12', 'city.height=12', 'households.count=4000'];

/** Scenarios whose areas have a set household quota: scaled to the small city. */
const QUOTAS: Record<string, string[]> = {
  'new-deal': ['policy.boundary.quotaHouseholds=200'],
  'index-switch': ['policy.boundary.quotaHouseholds=320', 'policy.compareBoundary.quotaHouseholds=320'],
};

const LIBRARY = [
  'baseline',
  'sunniside',
  'new-deal',
  'weston',
  'lasting-hub',
  'tabula-rasa-1980s',
  'micro-regeneration',
  'secure-tenants',
  'index-switch',
  'integrated',
  'schelling-classic',
];

let dir: string;
const f = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'regensim-library-'));
  const w = (name: string, content: unknown) => writeFileSync(join(dir, name), JSON.stringify(content, null, 2));
  w('no-friction.json', { extends: 'weston', name: 'weston-no-friction', policy: { hub: { friction: 0 } } });
  w('weston-as-place.json', { extends: 'weston', name: 'weston-as-place', policy: { kind: 'place-based' } });
  w('hub-on-place.json', { extends: 'sunniside', name: 'x', policy: { hub: { friction: 0 } } });
  w('mix-on-hub.json', { name: 'x', policy: { kind: 'hub-based', mix: { physical: 0.6 } } });
  w('friction-on-integrated.json', { extends: 'integrated', name: 'x', policy: { hub: { friction: 0.2 } } });
  w('city-on-schelling.json', { extends: 'schelling-classic', name: 'x', households: { count: 2000 } });
  w('schelling-on-city.json', { name: 'x', schelling: { threshold: 0.5 } });
  w('self.json', { extends: './self.json', name: 'self' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...argv: string[]) => captureCli(main, argv);

/** A user error: exit 2, one line on stderr, no stack trace, nothing on stdout. */
function expectUserError(r: { code: number; stdout: string; stderr: string }) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('the bundled library', () => {
  it('holds the eleven scenarios of the library, each with a title, a description and every section of a teaching note', () => {
    const list = listScenarios();
    expect(list.map((s) => s.name)).toEqual(expect.arrayContaining(LIBRARY));
    for (const s of list.filter((x) => LIBRARY.includes(x.name))) {
      expect(s.title.length, s.name).toBeGreaterThan(10);
      expect(s.description.length, s.name).toBeGreaterThan(100);
      expect(s.note.map((n) => n.key), s.name).toEqual(NOTE_SECTIONS.map(([k]) => k));
      for (const n of s.note) expect(n.text.length, `${s.name}.${n.key}`).toBeGreaterThan(40);
    }
  });

  it('smoke: every bundled scenario validates and runs three years (the programme starts in year 2)', () => {
    // Cheap settings: generated cities at 12 × 12 cells, a two-year spin-up instead of fifteen,
    // a small Schelling grid; a city built from small-area data keeps its own size.
    for (const { name } of listScenarios()) {
      const own = loadScenario(name);
      const sets =
        own.model === 'schelling'
          ? ['schelling.width=20', 'schelling.height=20']
          : [...(own.city.smallAreas ? [] : TINY_CITY), ...(QUOTAS[name] ?? []), 'run.spinUpYears=2'];
      const config = loadScenario(name, sets);
      const r: RunResult = runScenario(config, { seed: 1, years: 3 });
      expect(r.scenario).toBe(name);
      expect(r.series).toHaveLength(4);
      expect(Object.values(r.final.city).every(Number.isFinite), name).toBe(true);
      if (config.model === 'city' && config.policy.startYear < 3) expect(r.final.target, name).toBeDefined();
    }
  });

  it('lists every scenario with one line each', async () => {
    const r = await cli('scenarios');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(listScenarios().length);
    for (const name of LIBRARY) expect(lines.some((l) => l.startsWith(`${name} `))).toBe(true);
  });

  it('shows a teaching note with its headings, wrapped for a terminal', async () => {
    for (const name of ['sunniside', 'schelling-classic']) {
      const r = await cli('scenarios', '--describe', name);
      expect(r.code).toBe(0);
      for (const [, heading] of NOTE_SECTIONS) expect(r.stdout).toContain(`\n${heading}\n`);
      expect(r.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
    }
  });
});

describe('extending a bundled scenario', () => {
  it('a user file overrides one field of weston and keeps the rest, but not its name or note', () => {
    const base = loadScenario('weston');
    const c = loadScenario(f('no-friction.json'));
    expect(c.name).toBe('weston-no-friction');
    expect(c.policy.kind).toBe('hub-based');
    expect(c.policy.hub).toEqual({ ...base.policy.hub, friction: 0 });
    expect(c.policy.boundary).toEqual(base.policy.boundary);
    expect(c.note).toBeUndefined();
    expect(c.title).toBe('');
  });

  it('may switch the kind and leave the base\'s settings for the old kind behind', () => {
    expect(loadScenario(f('weston-as-place.json')).policy.kind).toBe('place-based');
  });
});

describe('fields the model or the policy kind does not read', () => {
  const cases: [file: string, field: string, says: string][] = [
    ['hub-on-place.json', 'policy.hub', 'policy kind "place-based" does not read it; it is read by hub-based, integrated'],
    ['mix-on-hub.json', 'policy.mix', 'policy kind "hub-based" does not read it; it is read by place-based'],
    ['friction-on-integrated.json', 'policy.hub.friction', 'no institutional friction'],
    ['city-on-schelling.json', 'households', 'the Schelling model does not read it'],
    ['schelling-on-city.json', 'schelling', 'only the Schelling model reads it'],
  ];
  for (const [file, field, says] of cases) {
    it(`${file}: refused, naming the file and ${field}`, async () => {
      const r = await cli('validate', f(file));
      expectUserError(r);
      expect(r.stderr).toContain(`${file}: field "${field}": `);
      expect(r.stderr).toContain(says);
    });
  }

  it('refuses an override the final kind does not read, naming the override', async () => {
    const r = await cli('run', 'weston', '--set', 'policy.mix.physical=0.6', '--years', '25');
    expectUserError(r);
    expect(r.stderr).toContain('--set policy.mix.physical=0.6: field "policy.mix.physical": policy kind "hub-based" does not read it');
    const p = await cli('run', 'schelling-classic', '--policy', 'place-based', '--years', '0');
    expectUserError(p);
    expect(p.stderr).toContain('--policy place-based: field "policy.kind": the Schelling model does not read it');
  });

  it('still reports a file that extends itself as a cycle', async () => {
    const r = await cli('validate', f('self.json'));
    expectUserError(r);
    expect(r.stderr).toContain('self.json: field "extends": a cycle of extends');
  });
});

describe('schelling-classic through the command line', () => {
  it('runs like any scenario and reports the share of similar neighbours each year', async () => {
    const r = await cli('run', 'schelling-classic', '--set', 'schelling.width=20', '--set', 'schelling.height=20', '--years', '3', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RunResult;
    expect(out.scenario).toBe('schelling-classic');
    expect(out.series).toHaveLength(4);
    for (const fr of out.series) expect(fr.city.similarNeighbourShare).toBeGreaterThan(0);
    expect(out.final.city.similarNeighbourShare).toBeGreaterThan(out.series[0]!.city.similarNeighbourShare! + 0.1);
    const text = await cli('run', 'schelling-classic', '--set', 'schelling.width=20', '--set', 'schelling.height=20', '--years', '2');
    expect(text.stdout).toContain('similarNeighbourShare');
  });

  it('has nothing to compare, and says what to do instead', async () => {
    const r = await cli('compare', 'schelling-classic', '--seeds', '2', '--years', '5');
    expectUserError(r);
    expect(r.stderr).toContain('has no policies to compare');
    expect(r.stderr).toContain('regensim run schelling-classic');
  });
});

describe('programme reports in the readable summary', () => {
  it('sunniside shows outputs against targets and the original residents beside them', async () => {
    const r = await cli('run', 'sunniside', ...SMALL_CITY.flatMap((s) => ['--set', s]), '--set', 'policy.durationYears=3', '--years', '3');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Outputs against targets:');
    for (const o of ['floorspace', 'homesBuilt', 'jobsCreated', 'privateInvestment', 'publicInvestment', 'brownfield']) expect(r.stdout).toContain(o);
    expect(r.stdout).toContain('Original residents of the target');
  });

  it('index-switch shows the two rules side by side', async () => {
    const r = await cli('run', 'index-switch', ...SMALL_CITY.flatMap((s) => ['--set', s]), '--set', 'policy.boundary.quotaHouseholds=1000', '--set', 'policy.compareBoundary.quotaHouseholds=1000');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Boundaries (target rule vs policy.compareBoundary):');
    expect(r.stdout).toContain('targetOverlap');
  });
});

describe('index-switch in a comparison', () => {
  it('averages the boundaries report over seeds and prints it before the evaluation', () => {
    const quotas = ['policy.boundary.quotaHouseholds=1000', 'policy.compareBoundary.quotaHouseholds=1000'];
    const config = loadScenario('index-switch', [...SMALL_CITY, ...quotas]);
    const plan = planComparison(config, ['none'], [1, 2], 3);
    const runs = plan.tasks.map((t) => run(t.config, t.seed, t.years));
    const c = aggregate(config, plan, runs, [1, 2], 3);
    const mean = (runs[0]!.final.boundaries!.targetOverlap! + runs[1]!.final.boundaries!.targetOverlap!) / 2;
    expect(c.policies.none!.final.boundaries!.targetOverlap).toBeCloseTo(mean, 12);
    const text = formatComparison(c, 2);
    expect(text).toMatch(/Boundaries: each policy's target rule against policy\.compareBoundary[^\n]*\n  none  target overlap /);
    expect(text.indexOf('Boundaries:')).toBeLessThan(text.indexOf('Evaluation (NDC-style)'));
  });
});
