/**
 * A real city's small areas (English LSOAs, or any areas with the same columns) as data: the
 * parsing and checking of two CSV tables — one row per area, and one row per pair of neighbouring
 * areas — and the geography built from them.
 *
 * Pure: functions over text, no file system, so a browser can read the same files. The Node host
 * (workers/smallAreas.ts) reads the files and hands their text here. Every problem in a table is a
 * `SmallAreaError` (a `ConfigError`, so the command line exits 2) naming the file, the row (the
 * line of the file, the header being row 1), the column and what was expected.
 *
 * Coordinates: the table gives each area's population-weighted centroid as British National Grid
 * easting and northing in metres (EPSG:27700, a transverse Mercator projection: distances on it
 * are true to within 0.04% across England). They become kilometres, then model units: the engine
 * measures distance in "cell widths", so the kilometres are divided by the median distance between
 * neighbouring centroids (`Geography.kmPerUnit` keeps that factor). y grows southward, as the
 * rows of the generated grid and a screen do, so a map drawn from (x, y) has north at the top.
 */
import { ConfigError } from './config/load.ts';
import { createGeography } from './geography.ts';
import type { Geography } from './geography.ts';

/** A problem in a small-area table: the file, the row (1 = header) and the column. */
export class SmallAreaError extends ConfigError {
  readonly file: string;
  readonly row: number;
  readonly column: string;

  constructor(file: string, row: number, column: string, message: string) {
    super(`${file}: row ${row}${column ? `, column "${column}"` : ''}: ${message}`, 'city.smallAreas');
    this.name = 'SmallAreaError';
    this.file = file;
    this.row = row;
    this.column = column;
  }
}

/** The IoD2019 domains besides income and employment, as the table's `<domain>_rank` columns. */
export const OTHER_DOMAINS = ['education', 'health', 'crime', 'housing_barriers', 'living_environment'] as const;
export type OtherDomain = (typeof OTHER_DOMAINS)[number];

/** Columns the area table must have (others are ignored). */
export const AREA_COLUMNS = [
  'lsoa11cd', 'x', 'y', 'population_total', 'income_score', 'employment_score', 'imd_rank',
  ...OTHER_DOMAINS.map((d) => `${d}_rank`),
] as const;
/** Optional: the area's name (`Sunderland 008A`); its part before the last letter names the MSOA. */
export const NAME_COLUMN = 'lsoa11nm';
export const NEIGHBOUR_COLUMNS = ['lsoa11cd_a', 'lsoa11cd_b'] as const;

export interface SmallAreaTable {
  /** Files the tables came from, as shown in messages. */
  readonly files: { areas: string; neighbours: string };
  readonly n: number;
  readonly codes: readonly string[];
  readonly names: readonly string[];
  /** Row of each area in its file (for messages). */
  readonly rows: Int32Array;
  /** British National Grid easting and northing, km. */
  readonly eastingKm: Float64Array;
  readonly northingKm: Float64Array;
  readonly population: Float64Array;
  /** IoD income and employment rates (share of residents / of working-age residents). */
  readonly income: Float64Array;
  readonly employment: Float64Array;
  /** National ranks (1 = most deprived). */
  readonly imdRank: Float64Array;
  readonly domainRank: Readonly<Record<OtherDomain, Float64Array>>;
  /** Neighbour lists (area indices), symmetric, without repeats. */
  readonly neighbours: readonly (readonly number[])[];
}

/**
 * Splits CSV text into rows of fields (RFC 4180: quoted fields may hold commas, quotes doubled
 * inside). Blank lines are dropped; each row keeps its line number.
 */
export function parseCsv(text: string, file: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let done = false;
    while (i < src.length && !done) {
      const ch = src[i]!;
      if (quoted) {
        if (ch === '"' && src[i + 1] === '"') { field += '"'; i += 2; continue; }
        if (ch === '"') { quoted = false; i++; continue; }
        if (ch === '\n') line++;
        field += ch;
        i++;
        continue;
      }
      if (ch === '"' && field === '') { quoted = true; i++; continue; }
      if (ch === ',') { fields.push(field); field = ''; i++; continue; }
      if (ch === '\r' && src[i + 1] === '\n') { i++; continue; }
      if (ch === '\n') { done = true; line++; i++; continue; }
      field += ch;
      i++;
    }
    if (quoted) throw new SmallAreaError(file, start, '', 'a quoted field is not closed before the end of the file');
    fields.push(field);
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    out.push({ line: start, fields: fields.map((f) => f.trim()) });
  }
  return out;
}

/** Header positions of the required columns; a missing one is named with what the file has. */
function columnsOf(header: string[], required: readonly string[], file: string): Map<string, number> {
  const at = new Map<string, number>();
  header.forEach((h, j) => { if (!at.has(h)) at.set(h, j); });
  for (const col of required) {
    if (!at.has(col)) {
      throw new SmallAreaError(file, 1, col,
        `missing column; a small-area table needs the columns ${required.join(', ')} (the header has ${header.join(', ') || 'nothing'})`);
    }
  }
  return at;
}

function numberAt(fields: string[], at: Map<string, number>, col: string, file: string, line: number,
  check: (v: number) => boolean, expected: string): number {
  const raw = fields[at.get(col)!] ?? '';
  const v = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(v) || !check(v)) {
    throw new SmallAreaError(file, line, col, `expected ${expected}, got ${raw === '' ? 'an empty field' : JSON.stringify(raw)}`);
  }
  return v;
}

/** Parses and checks the area table and the neighbour pairs. */
export function parseSmallAreas(
  areasText: string,
  neighboursText: string,
  files: { areas: string; neighbours: string },
): SmallAreaTable {
  const fa = files.areas;
  const rows = parseCsv(areasText, fa);
  if (rows.length === 0) throw new SmallAreaError(fa, 1, '', 'the file is empty; expected a header and one row per area');
  const at = columnsOf(rows[0]!.fields, AREA_COLUMNS, fa);
  const body = rows.slice(1);
  if (body.length < 2) throw new SmallAreaError(fa, rows[0]!.line, '', `expected at least two areas, got ${body.length}`);
  const n = body.length;
  const codes: string[] = [];
  const names: string[] = [];
  const lineOf = new Int32Array(n);
  const e = new Float64Array(n), no = new Float64Array(n), pop = new Float64Array(n);
  const inc = new Float64Array(n), emp = new Float64Array(n), imd = new Float64Array(n);
  const dom = Object.fromEntries(OTHER_DOMAINS.map((d) => [d, new Float64Array(n)])) as Record<OtherDomain, Float64Array>;
  const index = new Map<string, number>();
  const finite = () => true;
  const rate = (v: number) => v >= 0 && v <= 1;
  const positive = (v: number) => v > 0;
  for (let i = 0; i < n; i++) {
    const { line, fields } = body[i]!;
    if (fields.length < rows[0]!.fields.length) {
      throw new SmallAreaError(fa, line, rows[0]!.fields[fields.length] ?? '', `the row has ${fields.length} fields, the header ${rows[0]!.fields.length}`);
    }
    const code = fields[at.get('lsoa11cd')!]!;
    if (code === '') throw new SmallAreaError(fa, line, 'lsoa11cd', 'expected an area code, got an empty field');
    if (index.has(code)) throw new SmallAreaError(fa, line, 'lsoa11cd', `area ${code} is listed twice (also row ${lineOf[index.get(code)!]})`);
    index.set(code, i);
    codes.push(code);
    names.push(at.has(NAME_COLUMN) && fields[at.get(NAME_COLUMN)!] ? fields[at.get(NAME_COLUMN)!]! : code);
    lineOf[i] = line;
    e[i] = numberAt(fields, at, 'x', fa, line, finite, 'an easting in metres (British National Grid)') / 1000;
    no[i] = numberAt(fields, at, 'y', fa, line, finite, 'a northing in metres (British National Grid)') / 1000;
    pop[i] = numberAt(fields, at, 'population_total', fa, line, positive, 'a number of residents > 0');
    inc[i] = numberAt(fields, at, 'income_score', fa, line, rate, 'a share from 0 to 1 (income-deprived residents)');
    emp[i] = numberAt(fields, at, 'employment_score', fa, line, rate, 'a share from 0 to 1 (employment-deprived working-age residents)');
    imd[i] = numberAt(fields, at, 'imd_rank', fa, line, positive, 'a rank ≥ 1 (1 = most deprived)');
    for (const d of OTHER_DOMAINS) dom[d][i] = numberAt(fields, at, `${d}_rank`, fa, line, positive, 'a rank ≥ 1 (1 = most deprived)');
  }

  const fn = files.neighbours;
  const pairs = parseCsv(neighboursText, fn);
  if (pairs.length === 0) throw new SmallAreaError(fn, 1, '', 'the file is empty; expected a header and one row per pair of neighbours');
  const pat = columnsOf(pairs[0]!.fields, NEIGHBOUR_COLUMNS, fn);
  const sets: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (const { line, fields } of pairs.slice(1)) {
    const ends: number[] = [];
    for (const col of NEIGHBOUR_COLUMNS) {
      const code = fields[pat.get(col)!] ?? '';
      const j = index.get(code);
      if (j === undefined) {
        throw new SmallAreaError(fn, line, col,
          `${code === '' ? 'an empty field' : `unknown area code ${JSON.stringify(code)}`}; expected a code listed in column lsoa11cd of ${fa}`);
      }
      ends.push(j);
    }
    const [a, b] = ends as [number, number];
    if (a === b) throw new SmallAreaError(fn, line, NEIGHBOUR_COLUMNS[1], `area ${codes[a]} is paired with itself`);
    sets[a]!.add(b);
    sets[b]!.add(a);
  }
  for (let i = 0; i < n; i++) {
    if (sets[i]!.size === 0) {
      throw new SmallAreaError(fa, lineOf[i]!, 'lsoa11cd',
        `area ${codes[i]} has no neighbours: no row of ${fn} pairs it with another area (every area needs at least one, or it would be cut off from the city)`);
    }
  }
  return {
    files: { ...files }, n, codes, names, rows: lineOf, eastingKm: e, northingKm: no, population: pop,
    income: inc, employment: emp, imdRank: imd, domainRank: dom,
    neighbours: sets.map((s) => [...s].sort((a, b) => a - b)),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The geography of the areas: one neighbourhood per area at its centroid, in units of the median
 * distance between neighbouring centroids; each area is its own statistical unit (LSOAs are what
 * the indices are published for) and the areas of one MSOA (the name without its last letter) form
 * a ward.
 */
export function smallAreaGeography(t: SmallAreaTable): Geography {
  const dists: number[] = [];
  for (let i = 0; i < t.n; i++) {
    for (const j of t.neighbours[i]!) {
      if (j > i) dists.push(Math.hypot(t.eastingKm[i]! - t.eastingKm[j]!, t.northingKm[i]! - t.northingKm[j]!));
    }
  }
  const kmPerUnit = Math.max(median(dists), 1e-6);
  let minE = Infinity, maxN = -Infinity;
  for (let i = 0; i < t.n; i++) {
    minE = Math.min(minE, t.eastingKm[i]!);
    maxN = Math.max(maxN, t.northingKm[i]!);
  }
  const x = new Float64Array(t.n), y = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    x[i] = (t.eastingKm[i]! - minE) / kmPerUnit;
    y[i] = (maxN - t.northingKm[i]!) / kmPerUnit;
  }
  const wardOf = new Map<string, number>();
  const ward = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const m = /^(.*\d)[A-Z]$/.exec(t.names[i]!);
    const key = m ? m[1]! : t.codes[i]!;
    if (!wardOf.has(key)) wardOf.set(key, wardOf.size);
    ward[i] = wardOf.get(key)!;
  }
  return createGeography({
    x, y, neighbours: t.neighbours, ward, names: t.names, codes: t.codes, kmPerUnit,
    origin: { eastingKm: minE, northingKm: maxN },
  });
}

/**
 * Within-city deprivation percentiles of national ranks: 1 for the city's most deprived area
 * (lowest rank), 0 for its least; ties share their mean position.
 */
export function deprivationPercentile(rank: ArrayLike<number>): Float64Array {
  const n = rank.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => rank[b]! - rank[a]! || a - b);
  const out = new Float64Array(n);
  for (let r = 0; r < n;) {
    let e = r;
    while (e + 1 < n && rank[idx[e + 1]!] === rank[idx[r]!]) e++;
    const p = n > 1 ? (r + e) / 2 / (n - 1) : 0.5;
    for (let q = r; q <= e; q++) out[idx[q]!] = p;
    r = e + 1;
  }
  return out;
}

/** Spearman's rank correlation (ties share mean ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = deprivationPercentile(a), rb = deprivationPercentile(b);
  let ma = 0, mb = 0;
  for (let i = 0; i < ra.length; i++) { ma += ra[i]!; mb += rb[i]!; }
  ma /= ra.length; mb /= rb.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const da = ra[i]! - ma, db = rb[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Small-area data sets shipped with the package (`data/<name>/`), by the name a scenario uses in
 * `city.smallAreas`. Paths are relative to the package root; `centre` is the area holding the city
 * centre (the most commercial floorspace).
 */
export const BUNDLED_SMALL_AREAS: Readonly<Record<string, { areas: string; neighbours: string; centre: string }>> = {
  // Sunderland 013B: the population-weighted centroid nearest the city centre (Fawcett Street and
  // The Bridges, 54.9065 N 1.3830 W; 0.44 km).
  sunderland: {
    areas: 'data/sunderland/sunderland_iod2019_lsoa.csv',
    neighbours: 'data/sunderland/sunderland_lsoa_adjacency.csv',
    centre: 'E01008703',
  },
};
