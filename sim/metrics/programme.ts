/**
 * Reporters of a programme's effects on people and its outputs (MODEL.md §5), from the moment a
 * target is drawn:
 *
 * - people views: the original residents (living in the target at the start) wherever they live
 *   now, split into stayers (still in the target) and leavers (elsewhere in the city); in-movers
 *   (in the target now, arrived since the start);
 * - churn: who left after escaping poverty, the poverty of in- and out-movers, and the
 *   decomposition of the target's poverty change into the change for the same people and the
 *   change from who moved;
 * - outputs: jobs created in the target and jobs relocated into it (counted by the firms
 *   subsystem, whoever caused them), homes built (the housing pipeline), and what the ledger
 *   records (floorspace, refurbishment, investment, brownfield), with targets and completion;
 * - spending: total, physical, people, physical share.
 *
 * Nothing here reads a policy's kind: the same reporters describe every policy and `none`.
 */
import type { MetricValues, YearFrame } from '../types.ts';
import type { World } from '../world.ts';
import { DEMOLITION, DISSOLVED, PRIVATE, REGION_CODES, RENT } from '../world.ts';
import { median } from '../stats.ts';
import type { SortScratch } from './concentration.ts';
import { giniOfSorted, newSortScratch, sortNonNegative } from './concentration.ts';
import type { ResidentSums } from './deprivation.ts';
import { newResidentSums } from './deprivation.ts';

const SCHOOL_START = 16;
const SCHOOL_END = 72;

/** Bits of a household's groups in `peopleMetricsByGroup`. */
export const GROUP = {
  city: 0,
  target: 1,
  ring: 2,
  comparison: 3,
  rest: 4,
  originalResidents: 5,
  stayers: 6,
  leavers: 7,
  inMovers: 8,
  grownChildren: 9,
} as const;
export const GROUP_COUNT = 10;

/** Bit of each region code (index: 0 rest, 1 target, 2 ring, 3 comparison) in a household's group mask. */
const REGION_BIT = new Uint16Array(4);
REGION_BIT[REGION_CODES.target] = 1 << GROUP.target;
REGION_BIT[REGION_CODES.ring] = 1 << GROUP.ring;
REGION_BIT[REGION_CODES.comparison] = 1 << GROUP.comparison;
REGION_BIT[REGION_CODES.rest] = 1 << GROUP.rest;

/**
 * The group mask of every household slot (0: dead or homeless): the city, its region, and — once a
 * programme has drawn its target — the people views (original residents, stayers, leavers,
 * in-movers since the start). Without `city`, the city's bit is left out: a tracker's view reads only
 * its regions and people views, and the city's aggregates (the largest group, with the largest
 * median to select) are the run's own. With `scratch`, the mask is a view of its `mask`, valid until
 * the next call with it.
 */
export function householdGroups(w: World, city = true, scratch?: PeopleScratch): Uint16Array {
  const h = w.households;
  const code = w.region.code;
  const views = w.region.hasTarget;
  const start = w.region.startTick;
  const target = REGION_CODES.target;
  const mask = scratch ? scratchMask(scratch, h.count) : new Uint16Array(h.count);
  const cityBit = city ? 1 << GROUP.city : 0;
  if (views) viewGroups(h, code, target, start, cityBit, mask);
  else regionGroups(h, code, cityBit, mask);
  return mask;
}

/**
 * householdGroups' pass before a programme has drawn its target: the city and the regions. The
 * pass with the people views is a function of its own, so that the views' tests, first run when
 * the target is drawn, do not throw away the code V8 optimised for the years before (see
 * sim/census.ts).
 */
function regionGroups(h: World['households'], code: Uint8Array, cityBit: number, mask: Uint16Array): void {
  for (let s = 0; s < h.count; s++) {
    const k = h.cell[s]!;
    if (!h.alive[s] || k < 0) continue;
    mask[s] = cityBit | REGION_BIT[code[k]!]!;
  }
}

/**
 * householdGroups' pass once the target is drawn: an original resident is a stayer or a leaver;
 * anyone else in the target who moved in since the start is an in-mover; a grown child's household
 * (origin ≤ −2; set up in the target since the start, it is an in-mover too: it moved in) is also
 * counted apart. V8 still meets some of these tests first a year after the start (the first leaver,
 * the first in-mover) and compiles the pass again; one pass for every year with every test run for
 * every household was tried and gained nothing measurable (docs/performance.md).
 */
function viewGroups(h: World['households'], code: Uint8Array, target: number, start: number, cityBit: number, mask: Uint16Array): void {
  const ORIGINAL = 1 << GROUP.originalResidents;
  for (let s = 0; s < h.count; s++) {
    const k = h.cell[s]!;
    if (!h.alive[s] || k < 0) continue;
    const inTarget = code[k] === target;
    const origin = h.startCell[s]!;
    const original = origin >= 0;
    const inMover = !original && inTarget && h.movedTick[s]! >= start;
    mask[s] = cityBit | REGION_BIT[code[k]!]!
      | (original ? ORIGINAL | (1 << (inTarget ? GROUP.stayers : GROUP.leavers)) : 0)
      | (inMover ? 1 << GROUP.inMovers : 0)
      | (origin <= -2 ? 1 << GROUP.grownChildren : 0);
  }
}

/**
 * The yearly people metrics' working arrays, kept by their caller from one year to the next (the
 * reporters keep one set per run, sim/metrics/reporters.ts) so that a year's frame does not
 * allocate arrays the size of the city's households. What the calls given it return (the mask,
 * the city's order, the residents' sums) are views of these arrays: each is read before the next
 * call with the same scratch overwrites it. Every entry read is written afresh by that call first
 * (the mask and the sums are cleared, the incomes and members written for every household counted).
 */
export interface PeopleScratch {
  mask: Uint16Array;
  incomes: Float64Array;
  /** A tracker view's incomes (the city's are still read through its order). */
  viewIncomes: Float64Array;
  members: Uint16Array;
  residents: ResidentSums | undefined;
  sort: SortScratch;
}

export function newPeopleScratch(): PeopleScratch {
  return {
    mask: new Uint16Array(0), incomes: new Float64Array(0), viewIncomes: new Float64Array(0), members: new Uint16Array(0),
    residents: undefined, sort: newSortScratch(),
  };
}

/** A room for n of a scratch array: the array itself when long enough, else a new one half again as long. */
function room<T extends Float64Array | Uint16Array>(a: T, n: number, make: (size: number) => T): T {
  return a.length >= n ? a : make(n + (n >>> 1));
}

/**
 * Incomes and group members of `n` households: views of the scratch's arrays (`which` incomes, the
 * city's or a view's; grown when short), or new arrays without a scratch. Every entry read is
 * written first by the pass that fills them.
 */
function workingArrays(scratch: PeopleScratch | undefined, n: number, which: 'incomes' | 'viewIncomes'): { incomes: Float64Array; members: Uint16Array } {
  if (!scratch) return { incomes: new Float64Array(n), members: new Uint16Array(n) };
  scratch[which] = room(scratch[which], n, (size) => new Float64Array(size));
  scratch.members = room(scratch.members, n, (size) => new Uint16Array(size));
  return { incomes: scratch[which].subarray(0, n), members: scratch.members.subarray(0, n) };
}

/** The scratch's mask as a cleared view of `count` slots. */
function scratchMask(scratch: PeopleScratch, count: number): Uint16Array {
  scratch.mask = room(scratch.mask, count, (size) => new Uint16Array(size));
  const mask = scratch.mask.subarray(0, count);
  mask.fill(0);
  return mask;
}

/** The scratch's residents' sums for n cells, cleared. */
function scratchResidents(scratch: PeopleScratch, n: number): ResidentSums {
  const r = scratch.residents;
  if (!r || r.health.length !== n) return (scratch.residents = newResidentSums(n));
  // Every field is a sum over the cells: cleared as newResidentSums would give them.
  for (const a of Object.values(r) as Float64Array[]) a.fill(0);
  return r;
}

/**
 * Where each group's incomes start in one array: offsets[g] .. offsets[g + 1] for group g. Loops in
 * functions of their own, run once a year (see sim/census.ts).
 */
function groupOffsets(mask: Uint16Array, groups: number): Int32Array {
  const offsets = new Int32Array(groups + 1);
  countMembers(mask, offsets);
  for (let g = 0; g < groups; g++) offsets[g + 1]! += offsets[g]!;
  return offsets;
}

function countMembers(mask: Uint16Array, offsets: Int32Array): void {
  for (let s = 0; s < mask.length; s++) {
    for (let m = mask[s]!; m !== 0; m &= m - 1) offsets[32 - Math.clz32(m & -m)]!++;
  }
}

/**
 * Aggregates over the households of each group, all groups in one pass over the households (a
 * household counts in every group whose bit its mask has). Group g's incomes are left in
 * `incomes` at `offsets[g] .. offsets[g + 1]`, in slot order.
 */
export function peopleMetricsByGroup(
  w: World,
  mask: Uint16Array,
  groups: number,
): { values: MetricValues[]; incomes: Float64Array; offsets: Int32Array } {
  const offsets = groupOffsets(mask, groups);
  const incomes = new Float64Array(offsets[groups]!);
  const sums = newSums(groups);
  accumulate(w, mask, sums, incomes, offsets.slice(0, groups), undefined, undefined);
  const scratch = new Float64Array(offsets[1]! - offsets[0]!);
  const values = groupValues(sums, offsets, groups);
  for (let g = 0; g < groups; g++) {
    const n = offsets[g + 1]! - offsets[g]!;
    values[g]!.medianIncome = n > 0 ? median(incomes.subarray(offsets[g]!, offsets[g + 1]!), n, scratch) : 0;
  }
  return { values, incomes, offsets };
}

/**
 * `peopleMetricsByGroup` for a mask in which every household with a group is in the city's
 * (`householdGroups(w)`), with the Gini of the city's incomes: the Gini sorts the city's incomes
 * and every group's median is read off that order, instead of a selection per group. The medians
 * are the same values: the group's incomes in ascending order are the sorted city's restricted to
 * the group, and an even count's median is 0.5 × (lower middle + upper middle), as `median` takes
 * it. The sort clamps at 0, so the medians are read this way only when every income is positive
 * (and none NaN); otherwise each group's median is selected as in `peopleMetricsByGroup`.
 */
export function peopleMetricsWithCity(
  w: World,
  mask: Uint16Array,
  groups: number,
  scratch?: PeopleScratch,
): { values: MetricValues[]; gini: number; city: CityOrder; residents: ResidentSums } {
  const offsets = groupOffsets(mask, groups);
  const n = offsets[1]! - offsets[0]!;
  // The city's incomes in slot order, and each one's groups.
  const { incomes, members } = workingArrays(scratch, n, 'incomes');
  const sums = newSums(groups);
  // The deprivation domains' sums over each cell's residents, gathered in the same pass.
  const residents = scratch ? scratchResidents(scratch, w.cells.n) : newResidentSums(w.cells.n);
  accumulate(w, mask, sums, incomes, undefined, members, residents);
  const values = groupValues(sums, offsets, groups);
  const { sorted, order } = sortNonNegative(incomes, n, scratch?.sort);
  const city: CityOrder = { incomes, sorted, order };
  groupMedians(values, city, members, offsets, groups);
  return { values, gini: giniOfSorted(sorted, n), city, residents };
}

/**
 * The city's incomes (its households in slot order), and the same clamped at 0 in ascending order
 * with where each came from (`sortNonNegative`).
 */
export interface CityOrder {
  incomes: Float64Array;
  sorted: Float64Array;
  order: Int32Array;
}

/**
 * `peopleMetricsByGroup` for a tracker's view of the same world in the same year (the mask of
 * `householdGroups(view, false)`), its medians read off the order of the city's incomes that
 * `peopleMetricsWithCity` sorted: a view's groups are groups of the same households (every housed
 * household is in one region), in the same slot order.
 */
export function peopleMetricsWithOrder(
  w: World, mask: Uint16Array, groups: number, city: CityOrder, scratch?: PeopleScratch,
): { values: MetricValues[] } {
  const offsets = groupOffsets(mask, groups);
  const n = city.incomes.length;
  // The view's households are a subset of the city's: as many means the same.
  if (countGrouped(mask) !== n) return peopleMetricsByGroup(w, mask, groups);
  // The city's members are read only while its own medians are found: the view's may take them.
  const { incomes, members } = workingArrays(scratch, n, 'viewIncomes');
  const sums = newSums(groups);
  accumulate(w, mask, sums, incomes, undefined, members, undefined);
  const values = groupValues(sums, offsets, groups);
  groupMedians(values, city, members, offsets, groups);
  return { values };
}

function countGrouped(mask: Uint16Array): number {
  let n = 0;
  for (let s = 0; s < mask.length; s++) if (mask[s] !== 0) n++;
  return n;
}

/**
 * Each group's median: read off the city's order when every income is positive (and none NaN),
 * since the sort clamps at 0; otherwise selected from the group's incomes as `peopleMetricsByGroup`
 * selects it.
 */
function groupMedians(values: MetricValues[], city: CityOrder, members: Uint16Array, offsets: Int32Array, groups: number): void {
  const { incomes, sorted, order } = city;
  const n = incomes.length;
  if (n > 0 && sorted[0]! > 0 && !Number.isNaN(sorted[n - 1]!)) {
    mediansFromOrder(values, sorted, order, members, offsets, groups);
    return;
  }
  const scratch = new Float64Array(n);
  for (let g = 0; g < groups; g++) {
    const size = offsets[g + 1]! - offsets[g]!;
    const own = new Float64Array(size);
    gatherGroup(incomes, members, 1 << g, own);
    values[g]!.medianIncome = size > 0 ? median(own, size, scratch) : 0;
  }
}

/**
 * The sums of each group side by side: group g's at SUMS × g + column. One array rather than a
 * column each: the pass adds to all of a group's sums at once.
 */
const SUMS = 16;
const POOR = 0, LF = 1, UNEMPLOYED = 2, SKILL = 3, PUPILS = 4, ATTAINMENT = 5, HEALTH = 6, BURDEN = 7, RENTERS = 8, IN_TARGET = 9, SICK = 10;
type Sums = Float64Array;

function newSums(groups: number): Sums {
  return new Float64Array(SUMS * groups);
}

/**
 * The pass over the households: every group's sums, in slot order. Incomes go either per group
 * (`fill`: the next free place of each group's run in `incomes`) or, with `members`, once per
 * household in slot order with its mask (returns how many). A loop in a function of its own (see
 * sim/census.ts).
 */
function accumulate(
  w: World, mask: Uint16Array, sums: Sums, incomes: Float64Array, fill: Int32Array | undefined, members: Uint16Array | undefined,
  residents: ResidentSums | undefined,
): number {
  const h = w.households;
  const c = w.cells;
  const code = w.region.code;
  const retire = w.config.labour.retirementAge;
  const sickOf = h.sick;
  const cell = h.cell, income = h.income, poorOf = h.poor, age = h.age, skillOf = h.skill, employer = h.employer;
  const kids = h.kids, kidAge = h.kidAge, attainmentOf = h.attainment, tenure = h.tenure, allowance = h.allowance;
  const healthOf = h.health, rent = c.rent;
  const target = REGION_CODES.target;
  const cells = residents !== undefined;
  const { skill: cSkill, adults, att, pupils, health: cHealth, burden: cBurden, renters } = residents ?? NO_CELLS;
  let p = 0;
  for (let s = 0; s < mask.length; s++) {
    const m0 = mask[s]!;
    if (m0 === 0) continue;
    const k = cell[s]!;
    const y = income[s]!;
    const poor = poorOf[s] ? 1 : 0;
    const working = age[s]! < retire ? 1 : 0;
    const skill = working ? skillOf[s]! : 0;
    // Out of work (unemployed or sick), and of those the sick (households.sick).
    const unemployed = working && employer[s]! < 0 ? 1 : 0;
    const pupil = kids[s]! > 0 && kidAge[s]! >= SCHOOL_START && kidAge[s]! < SCHOOL_END ? 1 : 0;
    const attainment = pupil ? attainmentOf[s]! : 0;
    const renter = tenure[s] === PRIVATE ? 1 : 0;
    const burden = renter ? Math.max(0, rent[k]! - allowance[s]!) / Math.max(1000, y - allowance[s]!) : 0;
    const inTarget = code[k] === target ? 1 : 0;
    const health = healthOf[s]!;
    const sick = unemployed ? sickOf[s]! : 0;
    if (members !== undefined) {
      incomes[p] = y;
      members[p++] = m0;
    }
    if (cells) {
      // The same values domainScores' residentSums adds, in the same order.
      cHealth[k]! += health;
      if (working) {
        cSkill[k]! += skill;
        adults[k]!++;
      }
      if (kids[s]! > 0) {
        att[k]! += attainmentOf[s]!;
        pupils[k]!++;
      }
      if (renter) {
        cBurden[k]! += burden;
        renters[k]!++;
      }
    }
    for (let m = m0; m !== 0; m &= m - 1) {
      const g = 31 - Math.clz32(m & -m);
      if (fill !== undefined) incomes[fill[g]!++] = y;
      const b = SUMS * g;
      sums[b + POOR]! += poor;
      sums[b + LF]! += working;
      sums[b + UNEMPLOYED]! += unemployed;
      sums[b + SKILL]! += skill;
      sums[b + PUPILS]! += pupil;
      sums[b + ATTAINMENT]! += attainment;
      sums[b + HEALTH]! += health;
      sums[b + BURDEN]! += burden;
      sums[b + RENTERS]! += renter;
      sums[b + IN_TARGET]! += inTarget;
      sums[b + SICK]! += sick;
    }
  }
  return p;
}

const NO_CELLS = newResidentSums(0);

/** Each group's aggregates from its sums; `medianIncome` is filled in by the caller. */
function groupValues(sums: Sums, offsets: Int32Array, groups: number): MetricValues[] {
  const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
  const values: MetricValues[] = [];
  for (let g = 0; g < groups; g++) {
    const n = offsets[g + 1]! - offsets[g]!;
    const b = SUMS * g;
    const lf = sums[b + LF]!;
    const sick = sums[b + SICK]!;
    values.push({
      households: n,
      povertyRate: div(sums[b + POOR]!, n),
      // The ILO rate: the sick are outside the labour force.
      unemploymentRate: div(sums[b + UNEMPLOYED]! - sick, lf - sick),
      // Working-age heads out of work, unemployed or sick: England's employment deprivation and the
      // NDC's worklessness (out-of-work benefit claimants over the working-age population).
      outOfWorkRate: div(sums[b + UNEMPLOYED]!, lf),
      medianIncome: 0,
      meanSkill: div(sums[b + SKILL]!, lf),
      childAttainment: div(sums[b + ATTAINMENT]!, sums[b + PUPILS]!),
      health: div(sums[b + HEALTH]!, n),
      rentBurden: div(sums[b + BURDEN]!, sums[b + RENTERS]!),
      inTargetShare: div(sums[b + IN_TARGET]!, n),
    });
  }
  return values;
}

/**
 * Every group's median from the city's incomes in ascending order (`sorted[i]` the income of
 * household `order[i]` in slot order, `members` each household's groups): walking the order, a
 * group's incomes come in ascending order, so its middle ranks are met in turn.
 */
function mediansFromOrder(values: MetricValues[], sorted: Float64Array, order: Int32Array, members: Uint16Array, offsets: Int32Array, groups: number): void {
  const seen = new Int32Array(groups);
  const lowerRank = new Int32Array(groups);
  const upperRank = new Int32Array(groups);
  const lower = new Float64Array(groups);
  const upper = new Float64Array(groups);
  let pending = 0;
  for (let g = 0; g < groups; g++) {
    const n = offsets[g + 1]! - offsets[g]!;
    upperRank[g] = n >>> 1;
    // An odd count has one middle: the lower is the upper.
    lowerRank[g] = n % 2 === 1 ? n >>> 1 : (n >>> 1) - 1;
    if (n > 0) pending |= 1 << g;
  }
  walkOrder(sorted, order, members, seen, lowerRank, upperRank, lower, upper, pending);
  for (let g = 0; g < groups; g++) {
    const n = offsets[g + 1]! - offsets[g]!;
    values[g]!.medianIncome = n === 0 ? 0 : n % 2 === 1 ? upper[g]! : 0.5 * (lower[g]! + upper[g]!);
  }
}

function walkOrder(
  sorted: Float64Array, order: Int32Array, members: Uint16Array, seen: Int32Array,
  lowerRank: Int32Array, upperRank: Int32Array, lower: Float64Array, upper: Float64Array, pending: number,
): void {
  // `pending`: the groups whose upper middle is still ahead; the walk ends when none is (about the
  // middle of the largest group).
  for (let i = 0; i < sorted.length && pending !== 0; i++) {
    for (let m = members[order[i]!]! & pending; m !== 0; m &= m - 1) {
      const bit = m & -m;
      const g = 31 - Math.clz32(bit);
      const r = seen[g]!++;
      if (r === lowerRank[g]) lower[g] = sorted[i]!;
      if (r === upperRank[g]) {
        upper[g] = sorted[i]!;
        pending &= ~bit;
      }
    }
  }
}

/** The incomes of the households whose mask has `bit`, in slot order. */
function gatherGroup(incomes: Float64Array, members: Uint16Array, bit: number, out: Float64Array): void {
  let j = 0;
  for (let p = 0; p < incomes.length; p++) if (members[p]! & bit) out[j++] = incomes[p]!;
}

/**
 * The households that lived in the adjacent ring when the programme started and live in it now
 * (anywhere in it), and how many of them were poor then and are now.
 */
function ringStayers(w: World): { households: number; poorThen: number; poorNow: number } {
  const h = w.households;
  const code = w.region.code;
  const ring = REGION_CODES.ring;
  let households = 0, poorThen = 0, poorNow = 0;
  for (let s = 0; s < h.count; s++) {
    const mark = h.startRing[s]!;
    const k = h.cell[s]!;
    if (mark === 0 || !h.alive[s] || k < 0 || code[k] !== ring) continue;
    households++;
    poorThen += mark - 1;
    poorNow += h.poor[s]!;
  }
  return { households, poorThen, poorNow };
}

/**
 * The people views, churn, outputs and spending of the programme now; `people` holds the groups'
 * aggregates from `peopleMetricsByGroup` over `householdGroups`.
 */
export function programmeFrames(w: World, people: readonly MetricValues[]): Pick<YearFrame, 'originalResidents' | 'stayers' | 'leavers' | 'inMovers' | 'grownChildren' | 'churn' | 'outputs' | 'spending'> {
  const h = w.households;
  const code = w.region.code;
  const target = REGION_CODES.target;
  const originalResidents = people[GROUP.originalResidents]!;
  const stayers = people[GROUP.stayers]!;
  const leavers = people[GROUP.leavers]!;
  const inMovers = people[GROUP.inMovers]!;
  const grownChildren = people[GROUP.grownChildren]!;
  originalResidents.atStart = w.region.originals;
  originalResidents.goneFromCity = w.region.originalsGone;

  // Churn: of the originals who escaped poverty since the start, the share no longer in the target.
  let exited = w.region.originalsGoneExited;
  let exitedLeft = w.region.originalsGoneExited;
  let stayersStartPoor = 0;
  let stayersN = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.startCell[s]! < 0 || h.cell[s]! < 0) continue;
    // Written out rather than a closure made at every call: V8 compiled the loop for one call's
    // closure and threw the code away at the next call's.
    const inTarget = code[h.cell[s]!] === target;
    if (h.exitedPoverty[s]) {
      exited++;
      if (!inTarget) exitedLeft++;
    }
    if (inTarget) {
      stayersN++;
      stayersStartPoor += h.startPoor[s]!;
    }
  }
  // Movers since the start, as the move log saw them (poor at the time of the move), and where
  // those who moved out went: the adjacent ring, the comparison areas, the rest of the city, or out
  // of it — all of them and those forced out (by rent or demolition), as the lab's map of
  // destinations counts them (sim/inspect.ts, `displacement`). A household that dissolved (its last
  // member died) went nowhere: it is neither an out-mover nor displaced.
  const m = w.moves;
  const ring = REGION_CODES.ring;
  const comparison = REGION_CODES.comparison;
  let inMoves = 0, inPoor = 0, inFromRing = 0, outMoves = 0, outPoor = 0;
  let toRing = 0, toComparison = 0, toRest = 0, leftCity = 0, poorToRing = 0;
  let forced = 0, forcedToRing = 0, forcedLeftCity = 0;
  for (let i = w.region.moveLogAt; i < m.length; i++) {
    const from = m.from[i]!;
    const to = m.to[i]!;
    const fromT = from >= 0 && code[from] === target;
    const toT = to >= 0 && code[to] === target;
    if (toT && !fromT) {
      inMoves++;
      inPoor += m.poor[i]!;
      if (from >= 0 && code[from] === ring) inFromRing++;
    } else if (fromT && !toT) {
      const reason = m.reason[i]!;
      if (reason === DISSOLVED) continue;
      const poor = m.poor[i]!;
      const isForced = reason === RENT || reason === DEMOLITION ? 1 : 0;
      outMoves++;
      outPoor += poor;
      forced += isForced;
      if (to < 0) {
        leftCity++;
        forcedLeftCity += isForced;
      } else if (code[to] === ring) {
        toRing++;
        poorToRing += poor;
        forcedToRing += isForced;
      } else if (code[to] === comparison) toComparison++;
      else toRest++;
    }
  }
  // Decomposition: the target's poverty change = the change for those who stayed (people) + the rest
  // (composition: who left and who came).
  const targetChange = people[GROUP.target]!.povertyRate! - w.region.startPoverty;
  const peopleChange = stayersN > 0 ? stayers.povertyRate! - stayersStartPoor / stayersN : 0;
  const compositionChange = targetChange - peopleChange;
  // The same for the adjacent ring: does it get poorer because its residents do, or because of who
  // moves in and out (the displaced among them)?
  const rs = ringStayers(w);
  const ringChange = people[GROUP.ring]!.povertyRate! - w.region.ringStartPoverty;
  const ringPeopleChange = rs.households > 0 ? (rs.poorNow - rs.poorThen) / rs.households : 0;
  const churn: MetricValues = {
    exitedPoverty: exited,
    exitedPovertyLeftShare: exited > 0 ? exitedLeft / exited : 0,
    inMovers: inMoves,
    outMovers: outMoves,
    inMoverPovertyRate: inMoves > 0 ? inPoor / inMoves : 0,
    outMoverPovertyRate: outMoves > 0 ? outPoor / outMoves : 0,
    inMoversFromRing: inFromRing,
    outMoversToRing: toRing,
    outMoversToComparison: toComparison,
    outMoversToRest: toRest,
    outMoversLeftCity: leftCity,
    poorOutMoversToRing: poorToRing,
    forcedOutMovers: forced,
    forcedToRing,
    forcedLeftCity,
    targetPovertyChange: targetChange,
    peopleChange,
    compositionChange,
    // Undefined when the target's poverty barely moved: report 0 rather than a ratio of noise.
    compositionShareOfChange: Math.abs(targetChange) > 0.005 ? compositionChange / targetChange : 0,
    ringPovertyChange: ringChange,
    ringStayers: rs.households,
    ringPeopleChange,
    ringCompositionChange: ringChange - ringPeopleChange,
  };

  // Outputs: what the subsystems counted in the target since the start, and the ledger.
  const c = w.cells;
  let jobsCreated = 0, jobsRelocated = 0, homesBuilt = 0;
  for (let k = 0; k < c.n; k++) {
    if (code[k] !== target) continue;
    jobsCreated += c.jobsCreated[k]!;
    jobsRelocated += c.jobsRelocatedIn[k]!;
    homesBuilt += c.homesBuilt[k]!;
  }
  let jobsNow = 0;
  for (let i = 0; i < w.firms.count; i++) if (w.firms.alive[i] && code[w.firms.cell[i]!] === target) jobsNow += w.firms.filled[i]!;
  const l = w.ledger;
  // "Jobs created" as programmes report them: the net gain of jobs located in the target, of which
  // `jobsRelocated` arrived with firms that moved in (displaced from elsewhere, not new).
  const outputs: MetricValues = {
    jobsCreated: Math.max(0, jobsNow - w.region.baseJobs),
    jobsRelocated: jobsRelocated - w.region.baseJobsRelocated,
    grossJobsCreated: jobsCreated - w.region.baseJobsCreated,
    floorspace: l.floorspace,
    homesBuilt: homesBuilt - w.region.baseHomesBuilt,
    homesRefurbished: l.homesRefurbished,
    privateInvestment: l.privateInvestment,
    publicInvestment: l.publicInvestment,
    brownfield: l.brownfield,
  };
  const targets = Object.keys(l.targets);
  if (targets.length > 0) {
    for (const name of targets) {
      outputs[`target.${name}`] = l.targets[name]!;
      outputs[`completion.${name}`] = l.targets[name]! > 0 ? (100 * (outputs[name] ?? 0)) / l.targets[name]! : 0;
    }
  }
  const spending: MetricValues = {
    total: l.total,
    physical: l.physical,
    people: l.people,
    physicalShare: l.physical + l.people > 0 ? l.physical / (l.physical + l.people) : 0,
  };
  return { originalResidents, stayers, leavers, inMovers, grownChildren, churn, outputs, spending };
}
