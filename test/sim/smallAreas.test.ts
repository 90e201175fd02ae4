/**
 * Small-area tables: parsing and checking (each bad input names file, row and column), the
 * geography built from them, and the synthesised city's fit to its data, area by area.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SmallAreaError, parseSmallAreas, smallAreaGeography, spearman } from '../../sim/smallAreas.ts';
import { createWorld } from '../../sim/create.ts';
import { smallAreaFit } from '../../sim/smallAreaCity.ts';
import { loadScenario } from '../../workers/scenarios.ts';

const AREAS = readFileSync(new URL('../../data/sunderland/sunderland_iod2019_lsoa.csv', import.meta.url), 'utf8');
const PAIRS = readFileSync(new URL('../../data/sunderland/sunderland_lsoa_adjacency.csv', import.meta.url), 'utf8');
const FILES = { areas: 'areas.csv', neighbours: 'pairs.csv' };

/** The error a parse throws (fails the test if it does not throw one). */
function errorOf(areas: string, pairs: string): SmallAreaError {
  try {
    parseSmallAreas(areas, pairs, FILES);
  } catch (err) {
    expect(err).toBeInstanceOf(SmallAreaError);
    return err as SmallAreaError;
  }
  throw new Error('expected a SmallAreaError');
}

/** The text with one field of one row replaced (rows counted as in messages: the header is row 1). */
function withField(text: string, row: number, column: string, value: string): string {
  const lines = text.split('\n');
  const col = lines[0]!.split(',').indexOf(column);
  const fields = lines[row - 1]!.split(',');
  fields[col] = value;
  lines[row - 1] = fields.join(',');
  return lines.join('\n');
}

describe('small-area tables', () => {
  it('reads the bundled Sunderland tables: 185 areas, every one with neighbours', () => {
    const t = parseSmallAreas(AREAS, PAIRS, FILES);
    expect(t.n).toBe(185);
    expect(t.codes[0]).toBe('E01008693');
    expect(t.names[0]).toBe('Sunderland 008A');
    let pop = 0;
    for (let k = 0; k < t.n; k++) pop += t.population[k]!;
    expect(pop).toBe(276813);
    // 516 pairs, each listed for both ends.
    expect(t.neighbours.reduce((s, l) => s + l.length, 0)).toBe(2 * 516);
    for (let k = 0; k < t.n; k++) for (const j of t.neighbours[k]!) expect(t.neighbours[j]).toContain(k);
  });

  it('names the file, row 1 and the column when a column is missing', () => {
    const e = errorOf(AREAS.replace('income_score', 'income_rate'), PAIRS);
    expect([e.file, e.row, e.column]).toEqual(['areas.csv', 1, 'income_score']);
    expect(e.message).toMatch(/^areas\.csv: row 1, column "income_score": missing column/);
    const p = errorOf(AREAS, PAIRS.replace('lsoa11cd_b', 'other'));
    expect([p.file, p.row, p.column]).toEqual(['pairs.csv', 1, 'lsoa11cd_b']);
  });

  it('names the file, row and column of a value that is not a number, or out of range', () => {
    const e = errorOf(withField(AREAS, 3, 'population_total', 'many'), PAIRS);
    expect([e.file, e.row, e.column]).toEqual(['areas.csv', 3, 'population_total']);
    expect(e.message).toContain('got "many"');
    const r = errorOf(withField(AREAS, 10, 'income_score', '1.7'), PAIRS);
    expect([r.row, r.column]).toEqual([10, 'income_score']);
    expect(r.message).toContain('a share from 0 to 1');
    const empty = errorOf(withField(AREAS, 5, 'x', ''), PAIRS);
    expect([empty.row, empty.column]).toEqual([5, 'x']);
  });

  it('names the neighbour file, row and column of an unknown area code', () => {
    const e = errorOf(AREAS, withField(PAIRS, 7, 'lsoa11cd_b', 'E01999999'));
    expect([e.file, e.row, e.column]).toEqual(['pairs.csv', 7, 'lsoa11cd_b']);
    expect(e.message).toContain('unknown area code "E01999999"');
  });

  it('names the area file, row and code of an area no pair mentions', () => {
    // Sunderland 008A (row 2) loses every pair it is in.
    const kept = PAIRS.split('\n').filter((l) => !l.includes('E01008693')).join('\n');
    const e = errorOf(AREAS, kept);
    expect([e.file, e.row, e.column]).toEqual(['areas.csv', 2, 'lsoa11cd']);
    expect(e.message).toContain('E01008693 has no neighbours');
  });

  it('builds a connected geography in units of the median neighbour distance, north at the top', () => {
    const t = parseSmallAreas(AREAS, PAIRS, FILES);
    const g = smallAreaGeography(t);
    expect(g.n).toBe(185);
    expect(g.codes?.[0]).toBe('E01008693');
    expect(g.names?.[0]).toBe('Sunderland 008A');
    // LSOA centroids sit a few hundred metres apart in a city.
    expect(g.kmPerUnit!).toBeGreaterThan(0.3);
    expect(g.kmPerUnit!).toBeLessThan(1.5);
    const d: number[] = [];
    for (let i = 0; i < g.n; i++) {
      for (let e = g.nbrOffset[i]!; e < g.nbrOffset[i + 1]!; e++) {
        const j = g.nbrIndex[e]!;
        d.push(Math.hypot(g.x[i]! - g.x[j]!, g.y[i]! - g.y[j]!));
      }
    }
    d.sort((a, b) => a - b);
    expect(d[d.length >> 1]).toBeCloseTo(1, 2);
    // The northernmost centroid has y = 0; easting and northing come back from x, y.
    let north = 0;
    for (let i = 1; i < g.n; i++) if (t.northingKm[i]! > t.northingKm[north]!) north = i;
    expect(g.y[north]).toBe(0);
    expect(g.origin!.eastingKm + g.x[5]! * g.kmPerUnit!).toBeCloseTo(t.eastingKm[5]!, 9);
    expect(g.origin!.northingKm - g.y[5]! * g.kmPerUnit!).toBeCloseTo(t.northingKm[5]!, 9);
    // One component (the river links join the two banks).
    const seen = new Uint8Array(g.n);
    const stack = [0];
    seen[0] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      for (let e = g.nbrOffset[i]!; e < g.nbrOffset[i + 1]!; e++) {
        const j = g.nbrIndex[e]!;
        if (!seen[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    expect(seen.reduce((a, b) => a + b, 0)).toBe(185);
    // MSOAs as wards: Sunderland 008A–E share one.
    expect(g.ward[0]).toBe(g.ward[1]);
  });

  it('ranks correlate as Spearman says, ties included', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 3);
  });
});

describe('the synthesised Sunderland', () => {
  it('needs the host to have read the files: the engine reads none', () => {
    const config = loadScenario('sunderland');
    const unread = { ...config, city: { ...config.city, smallAreas: 'sunderland' } };
    expect(() => createWorld(unread, 1)).toThrow(/city\.smallAreas: "sunderland" must be read by the host before the engine runs/);
  });

  it('is a function of its seed: the same seed gives the same city, another seed another placement', () => {
    const config = loadScenario('sunderland', ['households.count=8000']);
    const cells = (seed: number) => {
      const w = createWorld(config, seed);
      return Array.from(w.households.cell.subarray(0, w.households.count));
    };
    const a = cells(3);
    expect(cells(3)).toEqual(a);
    expect(cells(4)).not.toEqual(a);
  });

  it("matches each area's population, and its income and employment rates at the city's level", () => {
    const config = loadScenario('sunderland');
    const w = createWorld(config, 1);
    const { areas, scale } = smallAreaFit(w);
    expect(areas).toHaveLength(185);
    let maxHh = 0, maxPov = 0, maxUn = 0, meanPov = 0, meanUn = 0;
    for (const a of areas) {
      maxHh = Math.max(maxHh, Math.abs(a.households - a.householdsTarget));
      maxPov = Math.max(maxPov, Math.abs(a.povertyRate - a.povertyTarget));
      maxUn = Math.max(maxUn, Math.abs(a.outOfWorkRate - a.outOfWorkTarget));
      meanPov += Math.abs(a.povertyRate - a.povertyTarget) / areas.length;
      meanUn += Math.abs(a.outOfWorkRate - a.outOfWorkTarget) / areas.length;
    }
    console.log(
      `fit over 185 areas: households max |error| ${maxHh.toFixed(2)}; poverty mean |error| ${(100 * meanPov).toFixed(2)} points, ` +
        `max ${(100 * maxPov).toFixed(2)}; out of work mean ${(100 * meanUn).toFixed(2)}, max ${(100 * maxUn).toFixed(2)}; ` +
        `scale: poverty ${scale.poverty.toFixed(3)} × income rate, out of work ${scale.outOfWork.toFixed(3)} × employment rate`,
    );
    // Households: largest remainder, then placement fills every area exactly.
    expect(maxHh).toBeLessThan(1);
    // A household is 1/300 of an area; poverty after housing costs moves with the rents set after
    // the last swaps, so a few households' worth of error remains.
    expect(meanPov).toBeLessThan(0.01);
    expect(maxPov).toBeLessThan(0.05);
    expect(meanUn).toBeLessThan(0.01);
    expect(maxUn).toBeLessThan(0.05);
    // The city-wide levels are the model's own, close to Sunderland's (19.2% income-deprived).
    expect(scale.poverty).toBeGreaterThan(0.8);
    expect(scale.poverty).toBeLessThan(1.25);
  });
});
