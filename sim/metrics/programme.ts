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

/** Aggregates over the households (alive and housed) for which `include(slot)` holds. */
export function peopleMetrics(w: World, include: (s: number) => boolean, scratch: Float64Array): MetricValues {
  const h = w.households;
  const c = w.cells;
  const retire = w.config.labour.retirementAge;
  let n = 0, poor = 0, lf = 0, unemployed = 0, skill = 0, pupils = 0, attainment = 0, health = 0, burden = 0, renters = 0, inTarget = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.cell[s]! < 0 || !include(s)) continue;
    const k = h.cell[s]!;
    scratch[n++] = h.income[s]!;
    if (h.poor[s]) poor++;
    if (h.age[s]! < retire) {
      lf++;
      skill += h.skill[s]!;
      if (h.employer[s]! < 0) unemployed++;
    }
    if (h.kids[s]! > 0 && h.kidAge[s]! >= SCHOOL_START && h.kidAge[s]! < SCHOOL_END) {
      pupils++;
      attainment += h.attainment[s]!;
    }
    health += h.health[s]!;
    if (h.tenure[s] === PRIVATE) {
      renters++;
      burden += Math.max(0, c.rent[k]! - h.allowance[s]!) / Math.max(1000, h.income[s]! - h.allowance[s]!);
    }
    if (w.region.code[k] === REGION_CODES.target) inTarget++;
  }
  const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
  return {
    households: n,
    povertyRate: div(poor, n),
    unemploymentRate: div(unemployed, lf),
    medianIncome: n > 0 ? median(scratch, n) : 0,
    meanSkill: div(skill, lf),
    childAttainment: div(attainment, pupils),
    health: div(health, n),
    rentBurden: div(burden, renters),
    inTargetShare: div(inTarget, n),
  };
}

/** The people views, churn, outputs and spending of the programme now. */
export function programmeFrames(w: World, scratch: Float64Array): Pick<YearFrame, 'originalResidents' | 'stayers' | 'leavers' | 'inMovers' | 'churn' | 'outputs' | 'spending'> {
  const h = w.households;
  const code = w.region.code;
  const start = w.region.startTick;
  const target = REGION_CODES.target;
  const inTarget = (s: number): boolean => code[h.cell[s]!] === target;
  const original = (s: number): boolean => h.startCell[s]! >= 0;
  const originalResidents = peopleMetrics(w, original, scratch);
  const stayers = peopleMetrics(w, (s) => original(s) && inTarget(s), scratch);
  const leavers = peopleMetrics(w, (s) => original(s) && !inTarget(s), scratch);
  const inMovers = peopleMetrics(w, (s) => !original(s) && inTarget(s) && h.movedTick[s]! >= start, scratch);
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
  let targetN = 0, targetPoor = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.cell[s]! < 0 || !inTarget(s)) continue;
    targetN++;
    targetPoor += h.poor[s]!;
  }
  const targetChange = (targetN > 0 ? targetPoor / targetN : 0) - w.region.startPoverty;
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
