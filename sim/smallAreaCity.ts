/**
 * The starting city synthesised from small-area data (docs/sunderland.md): what `createWorld`
 * does differently when a scenario sets `city.smallAreas`. Everything else — the households'
 * ages, skills and hours, tenure by status, schools, clinics, firms, job matching, rents — is the
 * generated city's own code, so a real city runs through the same engine.
 *
 * What is matched, area by area:
 * - population: households are shared out in proportion to each area's residents (largest
 *   remainder: at most one household off);
 * - income and employment rates: households are sorted into areas by status (skill and hours)
 *   against a deprivation key from the area's income, employment and education ranks, then, after
 *   the first job matching and rents, pairs of households of the same housing class are swapped
 *   between areas until each area's poor and unemployed counts match its published rates *scaled
 *   to the model's city-wide level* (swaps move people, never create poverty or jobs, so the
 *   city's totals stay what its economy produces);
 * - the order of the other domains: housing quality and environment from living environment,
 *   crime from crime, area health from health, school quality and old-industrial floorspace from
 *   the overall index; education follows from the sort by skill; barriers to housing and services
 *   (rent burden, distance to school and clinic) is left to emerge and is reported.
 *
 * Pure and deterministic: data in, arrays out; the one random stream is the creator's own.
 */
import type { ScenarioConfig } from './config/schema.ts';
import { ConfigError } from './config/load.ts';
import type { Geography } from './geography.ts';
import type { Stream } from './rng.ts';
import type { OtherDomain, SmallAreaTable } from './smallAreas.ts';
import { OTHER_DOMAINS, deprivationPercentile, parseSmallAreas, smallAreaGeography } from './smallAreas.ts';
import type { World } from './world.ts';
import { SOCIAL, occupy } from './world.ts';
import { census, outOfWork, outOfWorkRate, workingAge } from './census.ts';
import { updateResources } from './subsystems/humanCapital.ts';
import { amenityLogRent, updateAllowanceCap, updateAllowances } from './subsystems/housing.ts';
import { updatePoverty, updatePovertyLine } from './subsystems/neighbourhood.ts';

/**
 * Noise of the initial sort of households into areas, on a deprivation key spanning 0..1: about a
 * quarter of the key's range, as in the generated city (noise 0.35 on a desirability spanning
 * ~1.5), so areas mix households of different status as real ones do.
 */
const SORT_NOISE = 0.25;
/**
 * Difference in mean household health between the city's most and least health-deprived areas
 * (on the model's 0–1 health scale). Not a published figure: it orders areas by their health
 * rank without swamping the age mix (health falls 0.3 from 45 to 95).
 */
const HEALTH_SPREAD = 0.12;
/** Rounds of swaps, each followed by new rents and poverty (after housing costs moves with rent). */
const CALIBRATION_ROUNDS = 4;

export interface SmallAreaPlan {
  readonly table: SmallAreaTable;
  readonly geo: Geography;
  /** Households per area (∝ residents). */
  readonly households: Int32Array;
  /** Within-city percentiles (1 = the city's most deprived area) of each published rank. */
  readonly percentile: Readonly<Record<'imd' | 'income' | 'employment' | OtherDomain, Float64Array>>;
  /** Sets centrality, the old-industrial `deprived` level and each area's character. */
  character(cells: World['cells'], centrality: Float64Array, deprived: Float64Array): void;
  /** Social units and market units (occupied plus vacant) per area. */
  housing(socialHouseholds: number, marketUnits: number): { social: Int32Array; market: Int32Array };
  /** Houses every household: by status against the areas' deprivation key, tenure by tenure. */
  place(w: World, status: Float64Array, rs: Stream): void;
  /** Swaps households to match each area's income and employment rates; sets area health. */
  calibrate(w: World): void;
}

/** The area table a scenario names; the host must have read the files into the config first. */
export function smallAreaTableOf(config: ScenarioConfig): SmallAreaTable {
  const sa = config.city.smallAreas;
  if (sa === undefined) throw new ConfigError('city.smallAreas: not set', 'city.smallAreas');
  if (typeof sa === 'string' || sa.areasText === undefined || sa.neighboursText === undefined) {
    const what = typeof sa === 'string' ? `"${sa}"` : `${sa.areas} and ${sa.neighbours}`;
    throw new ConfigError(
      `city.smallAreas: ${what} must be read by the host before the engine runs (the engine reads no files): ` +
        'load the scenario through regensim (or workers/smallAreas.ts), which fills areasText and neighboursText.',
      'city.smallAreas',
    );
  }
  return parseSmallAreas(sa.areasText, sa.neighboursText, { areas: sa.areas, neighbours: sa.neighbours });
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Splits `total` across weights (largest remainder), never giving an area more than its cap. */
function apportionCapped(total: number, weight: Float64Array, cap: Int32Array): Int32Array {
  const n = weight.length;
  const out = new Int32Array(n);
  const w = Float64Array.from(weight);
  let left = total;
  for (let pass = 0; pass < n && left > 0; pass++) {
    let sum = 0;
    for (let k = 0; k < n; k++) if (out[k]! < cap[k]!) sum += w[k]!;
    if (sum <= 0) break;
    const share = new Float64Array(n);
    for (let k = 0; k < n; k++) share[k] = out[k]! < cap[k]! ? (left * w[k]!) / sum : 0;
    const add = largestRemainder(left, share);
    let over = false;
    for (let k = 0; k < n; k++) {
      const room = cap[k]! - out[k]!;
      const a = Math.min(room, add[k]!);
      if (add[k]! > room) over = true;
      out[k]! += a;
      left -= a;
    }
    if (!over) break;
  }
  if (left > 0) throw new RangeError(`city.smallAreas: ${left} households have no room (more social homes than households)`);
  return out;
}

function largestRemainder(total: number, share: Float64Array): Int32Array {
  const n = share.length;
  const out = new Int32Array(n);
  const rem: number[] = [];
  let given = 0;
  for (let k = 0; k < n; k++) {
    out[k] = Math.floor(share[k]!);
    given += out[k]!;
    rem.push(k);
  }
  rem.sort((a, b) => share[b]! - out[b]! - (share[a]! - out[a]!) || a - b);
  for (let j = 0; j < total - given; j++) out[rem[j % n]!]!++;
  return out;
}

export function planSmallAreaCity(config: ScenarioConfig): SmallAreaPlan {
  const table = smallAreaTableOf(config);
  const geo = smallAreaGeography(table);
  const n = table.n;
  const H = config.households.count;
  if (H < n) {
    throw new ConfigError(`households.count: ${H} households cannot fill ${n} small areas; expected at least ${n}`, 'households.count');
  }
  const households = largestRemainder(H, (() => {
    let total = 0;
    for (let k = 0; k < n; k++) total += table.population[k]!;
    return table.population.map((p) => (H * p) / total);
  })());
  // Income and employment by their published rates, the other domains by their ranks.
  const percentile = {
    imd: deprivationPercentile(table.imdRank),
    income: deprivationPercentile(table.income.map((v) => -v)),
    employment: deprivationPercentile(table.employment.map((v) => -v)),
    ...(Object.fromEntries(OTHER_DOMAINS.map((d) => [d, deprivationPercentile(table.domainRank[d])])) as Record<OtherDomain, Float64Array>),
  };
  // Whom an area houses: its residents' incomes, work and qualifications.
  const key = new Float64Array(n);
  for (let k = 0; k < n; k++) key[k] = (percentile.income[k]! + percentile.employment[k]! + percentile.education[k]!) / 3;

  let housingMemo: { social: Int32Array; market: Int32Array; socialHh: Int32Array; marketHh: Int32Array } | null = null;
  const housing = (socialHouseholds: number, marketUnits: number) => {
    if (housingMemo) return housingMemo;
    // Social estates where incomes are lowest, as the generated city places them by deprivation.
    const weight = new Float64Array(n);
    for (let k = 0; k < n; k++) weight[k] = households[k]! * (0.04 + Math.pow(percentile.income[k]!, 1.5));
    const socialHh = apportionCapped(socialHouseholds, weight, households);
    const marketHh = households.map((h, k) => h - socialHh[k]!);
    let occupied = 0;
    for (let k = 0; k < n; k++) occupied += marketHh[k]!;
    // Vacant market homes in proportion to the occupied ones, so that occupancy follows population.
    const vacant = largestRemainder(Math.max(0, marketUnits - occupied), (() => {
      const v = Math.max(0, marketUnits - occupied);
      return Float64Array.from(marketHh, (m) => (occupied > 0 ? (v * m) / occupied : 0));
    })());
    housingMemo = { social: socialHh, market: marketHh.map((m, k) => m + vacant[k]!), socialHh, marketHh };
    return housingMemo;
  };

  // The city centre: a named area, or the one nearest the residents' mean position.
  const sa = config.city.smallAreas;
  const centreCode = typeof sa === 'object' ? sa.centre : undefined;
  let centre = -1;
  if (centreCode !== undefined) {
    centre = table.codes.indexOf(centreCode);
    if (centre < 0) throw new ConfigError(`city.smallAreas.centre: ${centreCode} is not an area of ${table.files.areas}`, 'city.smallAreas.centre');
  } else {
    let mx = 0, my = 0, pop = 0;
    for (let k = 0; k < n; k++) { mx += geo.x[k]! * table.population[k]!; my += geo.y[k]! * table.population[k]!; pop += table.population[k]!; }
    mx /= pop; my /= pop;
    let best = Infinity;
    for (let k = 0; k < n; k++) {
      const d = Math.hypot(geo.x[k]! - mx, geo.y[k]! - my);
      if (d < best) { best = d; centre = k; }
    }
  }

  return {
    table, geo, households, percentile,
    character(cells, centrality, deprived) {
      // The generated city's formulas (sim/create.ts), with each area's published percentile in
      // place of the generator's random districts and without the noise (the data are the noise).
      const sigma = 0.12 * Math.sqrt(n);
      for (let k = 0; k < n; k++) {
        const d2 = (geo.x[k]! - geo.x[centre]!) ** 2 + (geo.y[k]! - geo.y[centre]!) ** 2;
        centrality[k] = Math.exp(-d2 / (2 * sigma * sigma));
        deprived[k] = percentile.imd[k]!;
        const env = percentile.living_environment[k]!;
        cells.quality[k] = clamp01(0.72 - 0.45 * env);
        cells.environment[k] = clamp01(0.68 - 0.4 * env);
        cells.environmentBase[k] = cells.environment[k]!;
        cells.brownfield[k] = 3 * deprived[k]! ** 2;
        cells.crime[k] = clamp01(0.15 + 0.4 * percentile.crime[k]!);
        cells.cohesion[k] = clamp01(0.55 - 0.15 * deprived[k]!);
      }
    },
    housing: (s, m) => {
      const h = housing(s, m);
      return { social: h.social, market: h.market };
    },
    place(w, status, rs) {
      const hh = w.households;
      const memo = housingMemo;
      if (!memo) throw new Error('smallAreaCity: housing() must run before place()');
      for (const social of [true, false]) {
        const per = social ? memo.socialHh : memo.marketHh;
        const members: number[] = [];
        for (let s = 0; s < hh.count; s++) if (hh.alive[s] && (hh.tenure[s] === SOCIAL) === social) members.push(s);
        const slots: number[] = [];
        for (let k = 0; k < n; k++) for (let u = 0; u < per[k]!; u++) slots.push(k);
        if (slots.length !== members.length) {
          throw new Error(`smallAreaCity: ${members.length} ${social ? 'social' : 'market'} households for ${slots.length} homes`);
        }
        // The most deprived homes (key high) go to the lowest status, with noise.
        const slotKey = new Float64Array(slots.length);
        for (let u = 0; u < slots.length; u++) slotKey[u] = key[slots[u]!]! + SORT_NOISE * rs.normal();
        const slotOrder = Array.from({ length: slots.length }, (_, u) => u).sort((a, b) => slotKey[b]! - slotKey[a]! || a - b);
        members.sort((a, b) => status[a]! - status[b]! || a - b);
        for (let j = 0; j < members.length; j++) occupy(w, members[j]!, slots[slotOrder[j]!]!, hh.tenure[members[j]!]!);
      }
    },
    calibrate(w) {
      calibrateRates(w, table, households);
      setAreaHealth(w, percentile.health);
    },
  };
}

/** Rents at their amenity-capitalised level (scaled to the base rent), allowances and poverty: as createWorld sets them. */
function settle(w: World): void {
  const c = w.cells;
  census(w);
  w.resourcesDirty = true;
  updateResources(w);
  let lsum = 0, units = 0;
  for (let k = 0; k < c.n; k++) {
    c.rent[k] = Math.exp(amenityLogRent(w, k));
    lsum += c.rent[k]! * c.units[k]!;
    units += c.units[k]!;
  }
  const scale = units > 0 ? (w.config.housing.baseRent * units) / lsum : 1;
  for (let k = 0; k < c.n; k++) c.rent[k]! *= scale;
  updateAllowanceCap(w);
  updateAllowances(w);
  updatePovertyLine(w);
  updatePoverty(w);
  census(w);
}

/**
 * Each area's poor households and working-age heads out of work (unemployed or sick, as the IoD's
 * employment domain counts its claimants) brought to its published income and employment rates,
 * scaled so that the targets add up to the city's own totals. A swap exchanges
 * the homes of two households of the same housing class (social or market) and the same stage of
 * life (working age or retired), so housing, population and labour force per area stay as placed.
 */
function calibrateRates(w: World, t: SmallAreaTable, households: Int32Array): void {
  const h = w.households;
  const n = t.n;
  const retire = w.config.labour.retirementAge;
  settle(w);
  const c = w.cells;
  let poorTotal = 0, incomeWeight = 0, unempTotal = 0, empWeight = 0;
  for (let k = 0; k < n; k++) {
    poorTotal += c.poor[k]!;
    incomeWeight += t.income[k]! * households[k]!;
    unempTotal += outOfWork(c, k);
    empWeight += t.employment[k]! * workingAge(c, k);
  }
  const poorTarget = new Float64Array(n);
  const unempTarget = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    poorTarget[k] = incomeWeight > 0 ? (poorTotal * t.income[k]! * households[k]!) / incomeWeight : 0;
    unempTarget[k] = empWeight > 0 ? (unempTotal * t.employment[k]! * workingAge(c, k)) / empWeight : 0;
  }
  const members: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < h.count; s++) if (h.alive[s] && h.cell[s]! >= 0) members[h.cell[s]!]!.push(s);
  const pos = new Int32Array(h.count);
  for (let k = 0; k < n; k++) members[k]!.forEach((s, i) => { pos[s] = i; });
  const social = (s: number) => (h.tenure[s] === SOCIAL ? 1 : 0);
  const working = (s: number) => (h.age[s]! < retire ? 1 : 0);
  // Out of work, unemployed or sick.
  const unemployed = (s: number) => (h.age[s]! < retire && h.employer[s]! < 0 ? 1 : 0);
  const swap = (a: number, b: number) => {
    const ka = h.cell[a]!, kb = h.cell[b]!;
    h.cell[a] = kb;
    h.cell[b] = ka;
    members[ka]![pos[a]!] = b;
    members[kb]![pos[b]!] = a;
    const pa = pos[a]!;
    pos[a] = pos[b]!;
    pos[b] = pa;
  };

  /**
   * Greedy: the area furthest over its target gives a household with the trait to the area
   * furthest under it, taking one without it, until no swap brings the two closer. `alike` says
   * which other traits the pair must share (preferred first).
   */
  const balance = (trait: (s: number) => number, target: Float64Array, alike: ((s: number) => number)[][]): void => {
    const count = new Float64Array(n);
    for (let k = 0; k < n; k++) for (const s of members[k]!) count[k]! += trait(s);
    const blocked = new Uint8Array(n);
    for (let iter = 0; iter < h.count; iter++) {
      let A = -1, best = -Infinity;
      for (let k = 0; k < n; k++) {
        const e = count[k]! - target[k]!;
        if (!blocked[k] && e > best) { best = e; A = k; }
      }
      if (A < 0 || best <= 0.5) break;
      const under = Array.from({ length: n }, (_, k) => k)
        .filter((k) => k !== A && count[k]! - target[k]! < best - 1)
        .sort((a, b) => count[a]! - target[a]! - (count[b]! - target[b]!) || a - b);
      let done = false;
      for (const B of under) {
        for (const rule of alike) {
          const sig = (s: number) => rule.map((f) => f(s)).join();
          const give = new Map<string, number>();
          for (const s of members[A]!) if (trait(s)) { const g = sig(s); if (!give.has(g)) give.set(g, s); }
          for (const s of members[B]!) {
            if (trait(s)) continue;
            const a = give.get(sig(s));
            if (a === undefined) continue;
            swap(a, s);
            count[A]!--;
            count[B]!++;
            done = true;
            break;
          }
          if (done) break;
        }
        if (done) break;
      }
      if (!done) blocked[A] = 1;
    }
  };

  const poor = (s: number) => h.poor[s]!;
  for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
    balance(poor, poorTarget, [[social, working, unemployed], [social, working]]);
    balance(unemployed, unempTarget, [[social, poor], [social]]);
    settle(w);
  }
}

/** Shifts each area's household health so that its mean follows the area's health rank. */
function setAreaHealth(w: World, pHealth: Float64Array): void {
  const h = w.households;
  const n = pHealth.length;
  const sum = new Float64Array(n), cnt = new Float64Array(n);
  let all = 0, total = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.cell[s]! < 0) continue;
    sum[h.cell[s]!]! += h.health[s]!;
    cnt[h.cell[s]!]!++;
    all += h.health[s]!;
    total++;
  }
  const mean = total > 0 ? all / total : 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.cell[s]! < 0) continue;
    const k = h.cell[s]!;
    const goal = mean + HEALTH_SPREAD * (0.5 - pHealth[k]!);
    h.health[s] = clamp01(h.health[s]! + goal - sum[k]! / cnt[k]!);
  }
}

/** One area's synthesised state against what the data ask of it. */
export interface AreaFit {
  code: string;
  name: string;
  households: number;
  /** The area's share of the city's residents × the city's households. */
  householdsTarget: number;
  povertyRate: number;
  /** Published income rate × the city's poverty rate / the city's income rate. */
  povertyTarget: number;
  /** Working-age heads out of work (unemployed or sick) over all working-age heads. */
  outOfWorkRate: number;
  /** Published employment rate × the city's out-of-work rate / the city's employment rate. */
  outOfWorkTarget: number;
}

/**
 * How well a small-area world matches its data, area by area (docs/sunderland.md quotes it): the
 * targets are the published rates scaled to the world's own city-wide level, as calibration
 * uses them. `scale` gives those factors (model rate per published rate).
 */
export function smallAreaFit(w: World): { areas: AreaFit[]; scale: { poverty: number; outOfWork: number } } {
  const t = smallAreaTableOf(w.config);
  const c = w.cells;
  census(w);
  let hh = 0, pop = 0, poor = 0, inc = 0, un = 0, emp = 0;
  for (let k = 0; k < t.n; k++) {
    hh += c.households[k]!;
    pop += t.population[k]!;
    poor += c.poor[k]!;
    inc += t.income[k]! * c.households[k]!;
    un += outOfWork(c, k);
    emp += t.employment[k]! * workingAge(c, k);
  }
  const sp = inc > 0 ? poor / inc : 0;
  const su = emp > 0 ? un / emp : 0;
  const areas: AreaFit[] = [];
  for (let k = 0; k < t.n; k++) {
    areas.push({
      code: t.codes[k]!,
      name: t.names[k]!,
      households: c.households[k]!,
      householdsTarget: (hh * t.population[k]!) / pop,
      povertyRate: c.households[k]! > 0 ? c.poor[k]! / c.households[k]! : 0,
      povertyTarget: t.income[k]! * sp,
      outOfWorkRate: outOfWorkRate(c, k),
      outOfWorkTarget: t.employment[k]! * su,
    });
  }
  return { areas, scale: { poverty: sp, outOfWork: su } };
}
