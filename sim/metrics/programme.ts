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
import { PRIVATE, REGION_CODES } from '../world.ts';
import { median } from '../stats.ts';

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
} as const;
export const GROUP_COUNT = 9;

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
 * median to select) are the run's own.
 */
export function householdGroups(w: World, city = true): Uint16Array {
  const h = w.households;
  const code = w.region.code;
  const views = w.region.hasTarget;
  const start = w.region.startTick;
  const target = REGION_CODES.target;
  const mask = new Uint16Array(h.count);
  const cityBit = city ? 1 << GROUP.city : 0;
  for (let s = 0; s < h.count; s++) {
    const k = h.cell[s]!;
    if (!h.alive[s] || k < 0) continue;
    let m = cityBit | REGION_BIT[code[k]!]!;
    if (views) {
      const inTarget = code[k] === target;
      if (h.startCell[s]! >= 0) m |= (1 << GROUP.originalResidents) | (1 << (inTarget ? GROUP.stayers : GROUP.leavers));
      else if (inTarget && h.movedTick[s]! >= start) m |= 1 << GROUP.inMovers;
    }
    mask[s] = m;
  }
  return mask;
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
 * `incomes` at `offsets[g] .. offsets[g + 1]`, in slot order (the Gini reads the city's).
 */
export function peopleMetricsByGroup(
  w: World,
  mask: Uint16Array,
  groups: number,
): { values: MetricValues[]; incomes: Float64Array; offsets: Int32Array } {
  const h = w.households;
  const c = w.cells;
  const code = w.region.code;
  const retire = w.config.labour.retirementAge;
  const offsets = groupOffsets(mask, groups);
  const incomes = new Float64Array(offsets[groups]!);
  const fill = offsets.slice(0, groups);
  // One column per sum, one entry per group.
  const nPoor = new Float64Array(groups), nLf = new Float64Array(groups), nUnemployed = new Float64Array(groups);
  const sSkill = new Float64Array(groups), nPupils = new Float64Array(groups), sAttainment = new Float64Array(groups);
  const sHealth = new Float64Array(groups), sBurden = new Float64Array(groups), nRenters = new Float64Array(groups);
  const nInTarget = new Float64Array(groups);
  for (let s = 0; s < mask.length; s++) {
    const m0 = mask[s]!;
    if (m0 === 0) continue;
    const k = h.cell[s]!;
    const y = h.income[s]!;
    const poor = h.poor[s] ? 1 : 0;
    const working = h.age[s]! < retire ? 1 : 0;
    const skill = working ? h.skill[s]! : 0;
    const unemployed = working && h.employer[s]! < 0 ? 1 : 0;
    const pupil = h.kids[s]! > 0 && h.kidAge[s]! >= SCHOOL_START && h.kidAge[s]! < SCHOOL_END ? 1 : 0;
    const attainment = pupil ? h.attainment[s]! : 0;
    const renter = h.tenure[s] === PRIVATE ? 1 : 0;
    const burden = renter ? Math.max(0, c.rent[k]! - h.allowance[s]!) / Math.max(1000, y - h.allowance[s]!) : 0;
    const inTarget = code[k] === REGION_CODES.target ? 1 : 0;
    const health = h.health[s]!;
    for (let m = m0; m !== 0; m &= m - 1) {
      const g = 31 - Math.clz32(m & -m);
      incomes[fill[g]!++] = y;
      nPoor[g]! += poor;
      nLf[g]! += working;
      nUnemployed[g]! += unemployed;
      sSkill[g]! += skill;
      nPupils[g]! += pupil;
      sAttainment[g]! += attainment;
      sHealth[g]! += health;
      sBurden[g]! += burden;
      nRenters[g]! += renter;
      nInTarget[g]! += inTarget;
    }
  }
  const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
  const scratch = new Float64Array(offsets[1]! - offsets[0]!);
  const values: MetricValues[] = [];
  for (let g = 0; g < groups; g++) {
    const n = offsets[g + 1]! - offsets[g]!;
    const lf = nLf[g]!;
    values.push({
      households: n,
      povertyRate: div(nPoor[g]!, n),
      unemploymentRate: div(nUnemployed[g]!, lf),
      medianIncome: n > 0 ? median(incomes.subarray(offsets[g]!, offsets[g + 1]!), n, scratch) : 0,
      meanSkill: div(sSkill[g]!, lf),
      childAttainment: div(sAttainment[g]!, nPupils[g]!),
      health: div(sHealth[g]!, n),
      rentBurden: div(sBurden[g]!, nRenters[g]!),
      inTargetShare: div(nInTarget[g]!, n),
    });
  }
  return { values, incomes, offsets };
}

/**
 * The people views, churn, outputs and spending of the programme now; `people` holds the groups'
 * aggregates from `peopleMetricsByGroup` over `householdGroups`.
 */
export function programmeFrames(w: World, people: readonly MetricValues[]): Pick<YearFrame, 'originalResidents' | 'stayers' | 'leavers' | 'inMovers' | 'churn' | 'outputs' | 'spending'> {
  const h = w.households;
  const code = w.region.code;
  const target = REGION_CODES.target;
  const inTarget = (s: number): boolean => code[h.cell[s]!] === target;
  const originalResidents = people[GROUP.originalResidents]!;
  const stayers = people[GROUP.stayers]!;
  const leavers = people[GROUP.leavers]!;
  const inMovers = people[GROUP.inMovers]!;
  originalResidents.atStart = w.region.originals;
  originalResidents.goneFromCity = w.region.originalsGone;

  // Churn: of the originals who escaped poverty since the start, the share no longer in the target.
  let exited = w.region.originalsGoneExited;
  let exitedLeft = w.region.originalsGoneExited;
  let stayersStartPoor = 0;
  let stayersN = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.startCell[s]! < 0 || h.cell[s]! < 0) continue;
    if (h.exitedPoverty[s]) {
      exited++;
      if (!inTarget(s)) exitedLeft++;
    }
    if (inTarget(s)) {
      stayersN++;
      stayersStartPoor += h.startPoor[s]!;
    }
  }
  // Movers since the start, as the move log saw them (poor at the time of the move).
  const m = w.moves;
  let inMoves = 0, inPoor = 0, outMoves = 0, outPoor = 0;
  for (let i = w.region.moveLogAt; i < m.length; i++) {
    const fromT = m.from[i]! >= 0 && code[m.from[i]!] === target;
    const toT = m.to[i]! >= 0 && code[m.to[i]!] === target;
    if (toT && !fromT) {
      inMoves++;
      inPoor += m.poor[i]!;
    } else if (fromT && !toT) {
      outMoves++;
      outPoor += m.poor[i]!;
    }
  }
  // Decomposition: the target's poverty change = the change for those who stayed (people) + the rest
  // (composition: who left and who came).
  const targetChange = people[GROUP.target]!.povertyRate! - w.region.startPoverty;
  const peopleChange = stayersN > 0 ? stayers.povertyRate! - stayersStartPoor / stayersN : 0;
  const compositionChange = targetChange - peopleChange;
  const churn: MetricValues = {
    exitedPoverty: exited,
    exitedPovertyLeftShare: exited > 0 ? exitedLeft / exited : 0,
    inMovers: inMoves,
    outMovers: outMoves,
    inMoverPovertyRate: inMoves > 0 ? inPoor / inMoves : 0,
    outMoverPovertyRate: outMoves > 0 ? outPoor / outMoves : 0,
    targetPovertyChange: targetChange,
    peopleChange,
    compositionChange,
    // Undefined when the target's poverty barely moved: report 0 rather than a ratio of noise.
    compositionShareOfChange: Math.abs(targetChange) > 0.005 ? compositionChange / targetChange : 0,
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
  return { originalResidents, stayers, leavers, inMovers, churn, outputs, spending };
}
