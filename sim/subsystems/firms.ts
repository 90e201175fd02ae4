/**
 * Firms (MODEL.md §3.2): profit, exit after sustained losses, growth and shrinking, relocation to
 * better nearby sites, and entry at the best of a few candidate sites.
 *
 * Profit per quarter = revenue − wages − commercial rent × floorspace × (1 − subsidy).
 * Revenue per filled job = wage × (1 + markup) × A, where A is, for local services, the local
 * spending within reach per local job (relative to the city at the start), and for tradable firms
 * the productivity of their workforce (mean worker skill against the job's requirement).
 * A firm incentive (`cells.subsidy`, a lever) lowers rent costs inside a boundary, so nearby firms
 * relocate into it: their jobs are counted as relocated (`jobsRelocatedIn/Out`), not created.
 *
 * Reads: cells (rent, floorspace, subsidy, incomeSum, unemployed, labourForce), city, households
 * through the census. Writes: firms.*, cells.floorUsed, demandAccess, localJobs, jobAccess,
 * jobsCreated, jobsRelocatedIn, jobsRelocatedOut. Random: an incumbent firm's exit, growth,
 * relocation look and site search are keyed by its slot and the quarter ("firmExit",
 * "firmGrowth", "firmLook", "firmSite"), so that a policy's pull on some firms leaves the others'
 * luck as it was in the paired run (a single stream shifted every later firm's draws and made the
 * ring's firm count pair no better than two seeds); entry (how many, which sector, where, how
 * large) draws from the stream "firms".
 */
import type { Stream } from '../rng.ts';
import { keyedDraw } from '../rng.ts';
import type { World } from '../world.ts';
import { addFirm } from '../world.ts';

/** Local spending share of household income (ONS Family Spending: ~30% on local services). */
const LOCAL_SPEND_SHARE = 0.3;
/** Bounds of the demand factor: a firm neither starves completely nor prints money. */
const A_MIN = 0.3;
const A_MAX = 2.5;

/**
 * Jobs per cell, summed in Float32 as the count always was (its rounding is part of the result),
 * and kept between steps so that each quarter does not allocate one.
 */
let jobsScratch = new Float32Array(0);

/** Spending reach of local services and jobs-to-workers access, per cell. */
export function updateAccess(w: World): void {
  accessAndStay(w, stayBuffer(w));
}

/**
 * updateAccess, and the demand ratio of every cell with no extra jobs (demandRatio(w, k, 0)) into
 * `stay`: both sum over the same demand disc, so one pass reads its cell list once. The stores are
 * held in locals: the loops run over ~160,000 commute pairs a quarter.
 */
function accessAndStay(w: World, stay: Float64Array): void {
  const c = w.cells;
  const n = c.n;
  const localJobs = c.localJobs;
  localJobs.fill(0);
  if (jobsScratch.length !== n) jobsScratch = new Float32Array(n);
  else jobsScratch.fill(0);
  const jobsPerCell = jobsScratch;
  countJobs(w, jobsPerCell);
  demandPass(w, stay);
  commutePass(w, jobsPerCell);
}

/** Local-service jobs filled (cells.localJobs) and jobs offered (jobsPerCell) per cell. */
function countJobs(w: World, jobsPerCell: Float32Array): void {
  const f = w.firms;
  const localJobs = w.cells.localJobs;
  const alive = f.alive;
  const sector = f.sector;
  const cell = f.cell;
  const filled = f.filled;
  const jobs = f.jobs;
  const count = f.count;
  for (let i = 0; i < count; i++) {
    if (!alive[i]) continue;
    const k = cell[i]!;
    if (sector[i] === 0) localJobs[k]! += filled[i]!;
    jobsPerCell[k]! += jobs[i]!;
  }
}

/** Spending within reach (cells.demandAccess) and the stay-put demand ratio of each cell. */
function demandPass(w: World, stay: Float64Array): void {
  const c = w.cells;
  const n = c.n;
  const incomeSum = c.incomeSum;
  const localJobs = c.localJobs;
  const demandAccess = c.demandAccess;
  const offset = w.demand.offset;
  const index = w.demand.index;
  const dw = w.demandWeight;
  let e = offset[0]!;
  for (let k = 0; k < n; k++) {
    const end = offset[k + 1]!;
    let spend = 0;
    let supply = 0;
    for (; e < end; e++) {
      const j = index[e]!;
      const wgt = dw[e]!;
      spend += incomeSum[j]! * wgt;
      supply += localJobs[j]! * wgt;
    }
    // Stored in Float32 first: the ratio divides the stored (rounded) spending, as demandRatio does.
    demandAccess[k] = spend * LOCAL_SPEND_SHARE;
    stay[k] = demandAccess[k]! / (supply + 1);
  }
}

/** Jobs within commuting reach per worker within reach, relative to the city mean (cells.jobAccess). */
function commutePass(w: World, jobsPerCell: Float32Array): void {
  const c = w.cells;
  const n = c.n;
  const jobs = c.jobAccess;
  const mean = commuteAccessSum(w, jobsPerCell) / n;
  // Expressed relative to the city mean so that the index is comparable across city sizes.
  if (mean > 0) scaleBy(jobs, mean, n);
  else jobs.fill(1);
}

/**
 * Each cell's jobs per worker within commuting reach (cells.jobAccess, not yet relative to the
 * mean); returns their sum as stored. A loop in a function of its own with nothing after it but
 * its return: V8 optimises it while it runs (on-stack replacement), and code after the loop that
 * had no type feedback when that code was compiled threw it away every quarter (the mean's
 * division did, when the loop and the scaling shared one function).
 */
function commuteAccessSum(w: World, jobsPerCell: Float32Array): number {
  const c = w.cells;
  const n = c.n;
  const labourForce = c.labourForce;
  const jobs = c.jobAccess;
  const offset = w.commute.offset;
  const index = w.commute.index;
  const cw = w.commuteWeight;
  let sum = 0;
  let e = offset[0]!;
  for (let k = 0; k < n; k++) {
    const end = offset[k + 1]!;
    let jw = 0;
    let lw = 0;
    for (; e < end; e++) {
      const j = index[e]!;
      const wgt = cw[e]!;
      jw += jobsPerCell[j]! * wgt;
      lw += labourForce[j]! * wgt;
    }
    jobs[k] = jw / (lw + 1);
    sum += jobs[k]!;
  }
  return sum;
}

/** jobs[k] / mean for every cell (a loop of its own, as above). */
function scaleBy(jobs: Float32Array, mean: number, n: number): void {
  for (let k = 0; k < n; k++) jobs[k] = jobs[k]! / mean;
}

/** Spending within reach per local-service job at cell k, smoothed by one job. */
function demandRatio(w: World, k: number, extraJobs: number): number {
  const c = w.cells;
  // Supply: local jobs within the same reach, approximated by the cell and its demand disc.
  const d = w.demand;
  const dw = w.demandWeight;
  let supply = extraJobs;
  for (let e = d.offset[k]!; e < d.offset[k + 1]!; e++) {
    supply += c.localJobs[d.index[e]!]! * dw[e]!;
  }
  return c.demandAccess[k]! / (supply + 1);
}

/**
 * demandRatio(w, k, 0) of every cell, for the firms that stay where they are: local jobs and
 * spending do not change during a firms step, so each cell's ratio is summed once, not once per
 * firm. Filled by updateAccess at the start of each step.
 */
const stayRatios = new WeakMap<World, Float64Array>();
function stayBuffer(w: World): Float64Array {
  let r = stayRatios.get(w);
  if (!r || r.length !== w.cells.n) stayRatios.set(w, (r = new Float64Array(w.cells.n)));
  return r;
}

/**
 * Revenue factor A of a firm of `sector` with mean worker skill `skill` at cell k; `stay` holds
 * the demand ratios with no extra jobs (stayRatiosOf).
 */
function revenueFactor(w: World, sector: number, k: number, skill: number, skillReq: number, extraJobs: number, stay: Float64Array): number {
  if (sector === 0) {
    const a = (extraJobs === 0 ? stay[k]! : demandRatio(w, k, extraJobs)) / w.city.localDemandScale;
    return Math.min(A_MAX, Math.max(A_MIN, Math.sqrt(a)));
  }
  return Math.min(A_MAX, Math.max(A_MIN, 1 + 0.8 * (skill - skillReq)));
}

/** Margin (profit over revenue) of firm i if it were at cell k (`stay`: see stayRatiosOf). */
function marginAt(w: World, i: number, k: number, moving: boolean, stay: Float64Array): number {
  const f = w.firms;
  const cfg = w.config.firms;
  const filled = Math.max(1, f.filled[i]!);
  const skill = f.filled[i]! > 0 ? f.skillSum[i]! / f.filled[i]! : f.skillReq[i]!;
  const a = revenueFactor(w, f.sector[i]!, k, skill, f.skillReq[i]!, moving ? filled : 0, stay);
  const revenue = filled * f.wage[i]! * (1 + cfg.markup) * a;
  const cost = filled * f.wage[i]! + commercialRent(w, k, moving || isNewcomer(w, i)) * f.floorspace[i]!;
  return (revenue - cost) / revenue;
}

/** Yearly commercial rent per m2 net of any firm incentive. */
function commercialRent(w: World, k: number, newcomer: boolean): number {
  return w.config.firms.commercialRentFactor * w.cells.rent[k]! * (1 - (newcomer ? w.cells.subsidy[k]! : 0));
}

/**
 * Incentives inside a boundary go to firms that come: start-ups and firms that move in after the
 * programme starts (enterprise-zone style relief), which is how they pull firms from next door.
 */
export function isNewcomer(w: World, i: number): boolean {
  const start = w.region.startTick;
  return start >= 0 && (w.firms.bornTick[i]! >= start || w.firms.movedTick[i]! >= start);
}

/**
 * The n-th uniform of a firm's site search: from the stream for an entrant (key < 0), else keyed
 * by the firm's slot, the draw's number and the quarter, so that a relocating firm searches with
 * the same luck in a paired run whatever other firms drew.
 */
function siteDraw(rs: Stream, key: number, i: number, n: number, tick: number): number {
  return key < 0 ? rs.next() : keyedDraw(key, i * SITE_DRAWS + n, tick);
}
/**
 * Draws a site search can take: four tries per wanted candidate, two draws a try (site and taste),
 * for at most 64 candidates (the schema's bound on firms.candidateSites): 4 × 2 × 64.
 */
const SITE_DRAWS = 512;

/**
 * Pick the best of `sites` candidate cells with free floorspace for a firm (by margin + noise).
 * `key`: keyed draws for an incumbent (firmSite's base), or −1 for an entrant's stream draws.
 */
function chooseSite(w: World, i: number, from: number, radius: number, rs: Stream, stay: Float64Array, key = -1): number {
  const c = w.cells;
  const f = w.firms;
  const cm = w.commute;
  const cfg = w.config.firms;
  const need = f.floorspace[i]!;
  const tick = w.city.tick;
  let best = -1;
  let bestU = -Infinity;
  let n = 0;
  // Up to four draws per wanted candidate: sites out of reach or without room do not count.
  for (let t = 0, found = 0; t < 4 * cfg.candidateSites && found < cfg.candidateSites; t++) {
    let k: number;
    if (from >= 0) {
      const a = cm.offset[from]!;
      const e = a + Math.floor(siteDraw(rs, key, i, n++, tick) * (cm.offset[from + 1]! - a));
      if (cm.dist[e]! > radius) continue;
      k = cm.index[e]!;
    } else {
      k = Math.floor(siteDraw(rs, key, i, n++, tick) * c.n);
    }
    if (k === from || c.floorspace[k]! - c.floorUsed[k]! < need) continue;
    found++;
    // Labour access matters to entrants: a site with idle workers nearby fills jobs sooner.
    const u = marginAt(w, i, k, true, stay) + 0.02 * Math.min(2, c.jobAccess[k]! > 0 ? 1 / c.jobAccess[k]! : 2) + 0.01 * gumbel(siteDraw(rs, key, i, n++, tick));
    if (u > bestU) {
      bestU = u;
      best = k;
    }
  }
  return best;
}

/** A Gumbel taste shock from a uniform u. */
function gumbel(u: number): number {
  // Kept inside (0, 1) so that neither logarithm is infinite.
  return -Math.log(-Math.log(u * (1 - 2e-12) + 1e-12));
}

export const firms = {
  name: 'firms',
  /** Calibrates the local demand scale so that the average local firm starts with A = 1. */
  init(w: World): void {
    updateAccess(w);
    const f = w.firms;
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < f.count; i++) {
      if (!f.alive[i] || f.sector[i] !== 0) continue;
      sum += demandRatio(w, f.cell[i]!, 0) * f.filled[i]!;
      wsum += f.filled[i]!;
    }
    w.city.localDemandScale = wsum > 0 ? sum / wsum : 1;
  },
  step(w: World): void {
    const f = w.firms;
    const c = w.cells;
    const cfg = w.config.firms;
    const rs = w.rng.stream('firms');
    const tick = w.city.tick;
    const exitKey = w.rng.keyBase('firmExit');
    const growKey = w.rng.keyBase('firmGrowth');
    const lookKey = w.rng.keyBase('firmLook');
    const siteKey = w.rng.keyBase('firmSite');
    // Slots of firms that exited last tick are reusable now that workers have been released.
    for (let j = 0; j < f.pendingCount; j++) f.free[f.freeCount++] = f.pending[j]!;
    f.pendingCount = 0;

    const stay = stayBuffer(w);
    accessAndStay(w, stay);
    let alive = 0;
    let marginSum = 0;
    for (let i = 0; i < f.count; i++) {
      if (!f.alive[i]) continue;
      const k = f.cell[i]!;
      // A firm with no one at work still pays its rent: a loss (margin −1), never a pause.
      const m = f.filled[i]! > 0 ? marginAt(w, i, k, false, stay) : -1;
      f.margin[i] = 0.6 * f.margin[i]! + 0.4 * m;
      if (m < 0) {
        if (f.lossQuarters[i]! < 255) f.lossQuarters[i]!++;
      } else f.lossQuarters[i] = 0;
      const hazard = cfg.baseExitRate + (f.lossQuarters[i]! >= cfg.lossQuarters ? cfg.lossExitRate : 0);
      if (keyedDraw(exitKey, i, tick) < hazard || f.jobs[i]! <= 0) {
        exitFirm(w, i);
        continue;
      }
      // Grow when profitable and nearly full (floorspace permitting); shrink when losing money.
      if (f.margin[i]! > 0.04 && f.filled[i]! >= 0.9 * f.jobs[i]!) {
        if (keyedDraw(growKey, i, tick) < 0.5) {
          const add = Math.max(1, Math.round(cfg.growthRate * f.jobs[i]!));
          const space = add * cfg.floorspacePerJob;
          if (c.floorspace[k]! - c.floorUsed[k]! >= space) {
            f.jobs[i]! += add;
            f.floorspace[i]! += space;
            c.floorUsed[k]! += space;
            c.jobsCreated[k]! += add;
          }
        }
      } else if (f.margin[i]! < -0.02 && f.jobs[i]! > 1) {
        const cut = Math.max(1, Math.round(cfg.growthRate * f.jobs[i]!));
        f.jobs[i]! -= cut;
        f.floorspace[i]! -= cut * cfg.floorspacePerJob;
        c.floorUsed[k]! -= cut * cfg.floorspacePerJob;
      }
      // Relocation: losing firms look more often; a move must pay for itself.
      const look = f.margin[i]! < 0 ? 3 * cfg.relocationRate : cfg.relocationRate;
      if (keyedDraw(lookKey, i, tick) < look) {
        const best = chooseSite(w, i, k, cfg.relocationRadius, rs, stay, siteKey);
        if (best >= 0 && marginAt(w, i, best, true, stay) - marginAt(w, i, k, false, stay) > cfg.relocationCost) {
          c.floorUsed[k]! -= f.floorspace[i]!;
          c.floorUsed[best]! += f.floorspace[i]!;
          c.jobsRelocatedOut[k]! += f.jobs[i]!;
          c.jobsRelocatedIn[best]! += f.jobs[i]!;
          f.movedFrom[i] = k;
          f.movedTick[i] = tick;
          f.cell[i] = best;
        }
      }
      alive++;
      marginSum += f.margin[i]!;
    }
    // Entry: more entrants when firms are profitable and idle workers are available.
    const unemployed = w.city.unemploymentRate;
    const slack = unemployed / (unemployed + w.city.jobVacancies / Math.max(1, totalLabour(w)) + 1e-9);
    const meanMargin = alive > 0 ? marginSum / alive : 0;
    const rate = cfg.entryRate * alive * Math.min(3, Math.max(0.2, 1 + 4 * meanMargin)) * 2 * slack;
    enterFirms(w, rs.poisson(rate), rs, stay);
  },
};

/**
 * New firms: each takes a site, or gives its slot back when no site has room. A function of its
 * own: the step's loops are optimised while they run, and a rare branch after them that had never
 * run would throw the step's optimised code away each time it is taken (see sim/census.ts).
 */
function enterFirms(w: World, entrants: number, rs: Stream, stay: Float64Array): void {
  const f = w.firms;
  const c = w.cells;
  const cfg = w.config.firms;
  const tick = w.city.tick;
  for (let e = 0; e < entrants; e++) {
    const i = addFirm(f);
    if (i < 0) break;
    f.sector[i] = rs.next() < cfg.tradableShare ? 1 : 0;
    initFirmJobs(w, i, Math.max(1, 1 + rs.poisson(cfg.meanSize * 0.4)), rs);
    f.bornTick[i] = tick;
    const site = chooseSite(w, i, -1, Infinity, rs, stay);
    if (site < 0) {
      f.alive[i] = 0;
      f.free[f.freeCount++] = i;
      continue;
    }
    f.cell[i] = site;
    c.floorUsed[site]! += f.floorspace[i]!;
    c.jobsCreated[site]! += f.jobs[i]!;
  }
}

function totalLabour(w: World): number {
  let s = 0;
  for (let k = 0; k < w.cells.n; k++) s += w.cells.labourForce[k]!;
  return s;
}

/** Sets a new firm's jobs, skill requirement, wage and floorspace. */
export function initFirmJobs(w: World, i: number, jobs: number, rs: Stream): void {
  const f = w.firms;
  const cfg = w.config;
  f.jobs[i] = jobs;
  f.filled[i] = 0;
  // Tradable jobs ask more skill than local services (ONS: producer services are graduate-heavy).
  const shift = f.sector[i] === 1 ? 0.06 : -0.06;
  const req = cfg.households.meanSkill - 0.04 + shift + 0.16 * rs.normal();
  f.skillReq[i] = Math.min(0.95, Math.max(0.02, req));
  f.wage[i] = cfg.economy.baseWage * Math.exp(cfg.economy.wageSkillPremium * (f.skillReq[i]! - 0.5));
  f.floorspace[i] = jobs * cfg.firms.floorspacePerJob;
  f.margin[i] = 0;
  f.lossQuarters[i] = 0;
}

function exitFirm(w: World, i: number): void {
  const f = w.firms;
  w.cells.floorUsed[f.cell[i]!]! -= f.floorspace[i]!;
  f.alive[i] = 0;
  f.jobs[i] = 0;
  // Workers are released by the labour step this tick (their employer is no longer alive).
  f.pending[f.pendingCount++] = i;
}
