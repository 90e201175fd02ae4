/**
 * Real cities through the command line: bundled small-area data by name, the user's own CSV
 * files relative to the scenario file, and bad files reported with exit 2 naming file, row and
 * column (no stack trace).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../workers/cli.ts';
import { captureCli } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'regensim-small-areas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DATA = new URL('../../data/sunderland/', import.meta.url);
const AREAS = readFileSync(new URL('sunderland_iod2019_lsoa.csv', DATA), 'utf8');
const PAIRS = readFileSync(new URL('sunderland_lsoa_adjacency.csv', DATA), 'utf8');

/** A scenario in its own folder whose small-area files sit beside it (in data/). */
function userCity(name: string, areas: string, pairs: string): string {
  const sub = join(dir, name);
  rmSync(sub, { recursive: true, force: true });
  writeFileSync(join(dir, `${name}.areas.csv`), areas);
  writeFileSync(join(dir, `${name}.pairs.csv`), pairs);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, city: { smallAreas: { areas: `${name}.areas.csv`, neighbours: `${name}.pairs.csv`, centre: 'E01008703' } },
    households: { count: 8000 }, run: { years: 1 },
  }));
  return file;
}

const replaceField = (text: string, row: number, column: string, value: string) => {
  const lines = text.split('\n');
  const col = lines[0]!.split(',').indexOf(column);
  const f = lines[row - 1]!.split(',');
  f[col] = value;
  lines[row - 1] = f.join(',');
  return lines.join('\n');
};

describe('small-area cities on the command line', () => {
  it("runs the user's own files, found relative to the scenario file", async () => {
    const file = userCity('mine', AREAS, PAIRS);
    const r = await captureCli(main, ['run', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.final.city.cells).toBe(185);
    expect(out.series).toHaveLength(2);
  });

  const bad: [string, string, string, RegExp][] = [
    ['a missing column', AREAS.replace('employment_score', 'employment'), PAIRS, /bad1\.areas\.csv: row 1, column "employment_score": missing column/],
    ['a value that is not a number', replaceField(AREAS, 12, 'population_total', 'n/a'), PAIRS, /bad2\.areas\.csv: row 12, column "population_total": expected a number of residents > 0, got "n\/a"/],
    ['an unknown neighbour code', AREAS, replaceField(PAIRS, 40, 'lsoa11cd_a', 'E0100XXXX'), /bad3\.pairs\.csv: row 40, column "lsoa11cd_a": unknown area code "E0100XXXX"/],
    ['an area with no neighbours', AREAS, PAIRS.split('\n').filter((l) => !l.includes('E01008694')).join('\n'), /bad4\.areas\.csv: row 3, column "lsoa11cd": area E01008694 has no neighbours/],
  ];
  bad.forEach(([what, areas, pairs, message], i) => {
    it(`exits 2 naming file, row and column for ${what}`, async () => {
      const file = userCity(`bad${i + 1}`, areas, pairs);
      for (const cmd of ['validate', 'run']) {
        const r = await captureCli(main, [cmd, file]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    });
  });

  it('exits 2 for a missing file or an unknown bundled data set', async () => {
    const file = join(dir, 'missing.json');
    writeFileSync(file, JSON.stringify({ city: { smallAreas: { areas: 'nowhere.csv', neighbours: 'nor.csv' } } }));
    const r = await captureCli(main, ['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nowhere\.csv: cannot read the small-area file \(city\.smallAreas\): no such file/);
    const u = await captureCli(main, ['run', 'baseline', '--set', 'city.smallAreas=sunderlnd']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('no bundled small-area data set "sunderlnd" (did you mean "sunderland"?)');
  });

  it('exits 2 for a boundary code that is not an area of the city, a code on a generated city, too few households', async () => {
    const r = await captureCli(main, ['run', 'sunniside-real', '--set', 'policy.boundary.cells=["E01008703","E0100870"]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('field "policy.boundary.cells.1": "E0100870" is not an area of this city (did you mean "E01008700"?)');
    const g = await captureCli(main, ['run', 'baseline', '--set', 'policy.boundary={"type":"cells","cells":["E01008703"]}']);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('is an area code, but this city is generated');
    const few = await captureCli(main, ['run', 'sunderland', '--set', 'households.count=150']);
    expect(few.code).toBe(2);
    expect(few.stderr).toContain('field "households.count": 150 households cannot fill the 185 small areas');
    const bad = await captureCli(main, ['run', 'baseline', '--set', 'city.smallAreas=5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected the name of a bundled small-area data set ('sunderland')");
  });

  it('runs sunniside-real with its target drawn from area codes and the scaled Sunniside targets', async () => {
    const r = await captureCli(main, ['run', 'sunniside-real', '--years', '12', '--set', 'households.count=20000', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.policy).toBe('place-based');
    expect(out.final.target.cells).toBe(3);
    // £1m a year for 10 years: the Sunniside case halved (£50m private, 250 jobs, 450 homes).
    expect(out.final.outputs['target.privateInvestment']).toBe(50_000_000);
    expect(out.final.outputs['target.jobsCreated']).toBe(250);
    expect(out.final.outputs['target.homesBuilt']).toBe(450);
    expect(out.final.outputs['target.floorspace']).toBe(2500);
    expect(out.final.comparison.cells).toBeGreaterThan(0);
  });
});
