/**
 * Labour market (MODEL.md §3.3): separations (more likely in poor health, and when a firm cuts
 * jobs), search by the unemployed with distance decay and skill match, retirement; then incomes.
 *
 * Out of work through ill health (households.sick): a working-age head without a job whose health
 * falls below `labour.sickThreshold`, or a worker whose health falls below `sickLeaveThreshold`
 * (who leaves its job), is sick: it does not search and draws the sickness element on top of the
 * benefit. The spell ends when its health is back above `sickRecoveryThreshold`, a higher line:
 * spells last, and a head near one line does not come and go every quarter. Retirement ends it.
 *
 * A hub's employer pipeline: after the normal search, unemployed graduates (households.graduate)
 * contact partner firms (firms.partner), which favour them; a graduate's standing lapses after
 * eight quarters without any partner firm.
 *
 * Reads: households (age, skill, health, cell, employer, kids, transfer, allowance, areaBenefit,
 * graduate, sick), firms (cell, jobs, filled, skillReq, wage, partner), world.commute. Writes:
 * households.employer, income, unempQuarters, sick, lifeEvent, graduate; firms.filled, skillSum;
 * world.firmIndex; city.jobVacancies.
 * Random stream: "labour" (search order, contacts), keyed "separation" (a worker's luck).
 */
import { keyedDraw, shuffle } from '../rng.ts';
import type { Stream } from '../rng.ts';
import type { World } from '../world.ts';

/** Rebuilds the per-cell lists of live firms (counting sort by cell). */
export function indexFirmsByCell(w: World): void {
  const f = w.firms;
  const n = w.cells.n;
  let { start, list } = w.firmIndex;
  if (list.length < f.capacity) {
    list = new Int32Array(f.capacity);
    (w.firmIndex as { list: Int32Array }).list = list;
  }
  start.fill(0);
  for (let i = 0; i < f.count; i++) if (f.alive[i]) start[f.cell[i]! + 1]!++;
  for (let c = 0; c < n; c++) start[c + 1]! += start[c]!;
  // Fill using a running cursor kept in the tail of `start` shifted by one: use a copy.
  if (cursorScratch.length < n) cursorScratch = new Int32Array(n);
  const cursor = cursorScratch;
  for (let c = 0; c < n; c++) cursor[c] = start[c]!;
  for (let i = 0; i < f.count; i++) if (f.alive[i]) list[cursor[f.cell[i]!]!++] = i;
}

/**
 * indexFirmsByCell's cursor, shared by every world and kept from one quarter to the next: its first
 * n entries are copied afresh from `start` before they are read, so nothing passes between calls.
 */
let cursorScratch = new Int32Array(0);

/** Buckets per cell of the contact guide table (a power of two, so that u × G is exact). */
const GUIDE_BUCKETS = 64;

/**
 * Guide table for drawing a contact cell (Chen & Asau 1974): for each home cell and each bucket
 * j of [0, 1), the position the binary search would return for the lowest draw that falls in
 * the bucket. A draw r in bucket j = floor(r × G) has r ≥ j / G exactly, so r × total ≥
 * (j / G) × total after rounding too, and the search's answer for it can only lie at or after
 * the guide entry: a short forward scan from there finds the same cell as a full binary search.
 * Keyed on the running sums, which are fixed once the world is made (a cloned world shares them).
 */
const guides = new WeakMap<Float64Array, Int32Array>();
function contactGuide(w: World): Int32Array {
  const cum = w.commuteCum;
  let g = guides.get(cum);
  if (g) return g;
  const { offset } = w.commute;
  const n = offset.length - 1;
  g = new Int32Array(n * GUIDE_BUCKETS);
  for (let home = 0; home < n; home++) {
    const a = offset[home]!;
    const b = offset[home + 1]!;
    const total = cum[b - 1]!;
    let i = a;
    for (let j = 0; j < GUIDE_BUCKETS; j++) {
      const u = (j / GUIDE_BUCKETS) * total;
      while (i < b - 1 && cum[i]! <= u) i++;
      g[home * GUIDE_BUCKETS + j] = i;
    }
  }
  guides.set(cum, g);
  return g;
}

/**
 * One unemployed person's search: `contacts` tries, each at a random cell within the commute
 * radius (kept with probability exp(-d/decay)) and a random firm there; a firm with a vacancy hires
 * with probability exp(-shortfall/tolerance) × (0.5 + 0.5 health). Returns true if hired.
 */
export function searchJob(w: World, s: number, contacts: number, rs: Stream): boolean {
  return searchJobGuided(w, s, contacts, rs, contactGuide(w));
}

function searchJobGuided(w: World, s: number, contacts: number, rs: Stream, guide: Int32Array): boolean {
  const h = w.households;
  const f = w.firms;
  const filled = f.filled;
  const jobs = f.jobs;
  const skillReq = f.skillReq;
  const index = w.commute.index;
  const offset = w.commute.offset;
  const { start, list } = w.firmIndex;
  const lab = w.config.labour;
  const tolerance = lab.skillTolerance;
  const home = h.cell[s]!;
  if (home < 0) return false;
  const last = offset[home + 1]! - 1;
  const cum = w.commuteCum;
  const total = cum[last]!;
  const g0 = home * GUIDE_BUCKETS;
  const skill = h.skill[s]!;
  // Referral networks: neighbours in work pass on vacancies (Granovetter 1973; Topa 2001), so a
  // search from a neighbourhood where few work succeeds less often.
  const cells = w.cells;
  const lf = cells.labourForce[home]!;
  const localEmployment = lf > 0 ? 1 - cells.unemployed[home]! / lf : 1;
  const cityEmployment = Math.max(0.01, 1 - w.city.unemploymentRate);
  const network = 1 - lab.networkWeight + lab.networkWeight * Math.min(1.5, localEmployment / cityEmployment);
  const healthFactor = (0.5 + 0.5 * h.health[s]!) * network;
  touchRows(guide, g0, cum, index, offset[home]!, last + 1);
  for (let k = 0; k < contacts; k++) {
    // A contact lands on a cell with probability ∝ exp(−d/decay): the first running sum above
    // u, found from the guide entry of u's bucket (the same cell a binary search finds).
    const r = rs.next();
    const u = r * total;
    let lo = guide[g0 + Math.floor(r * GUIDE_BUCKETS)]!;
    while (lo < last && cum[lo]! <= u) lo++;
    const c = index[lo]!;
    const first = start[c]!;
    const nf = start[c + 1]! - first;
    if (nf === 0) continue;
    const firm = list[first + Math.floor(rs.next() * nf)]!;
    if (filled[firm]! >= jobs[firm]!) continue;
    const shortfall = Math.max(0, skillReq[firm]! - skill);
    // exp(−0) is exactly 1: the common no-shortfall case skips the exponential.
    const p = shortfall === 0 ? healthFactor : Math.exp(-shortfall / tolerance) * healthFactor;
    if (rs.next() < p) {
      hire(w, s, firm);
      return true;
    }
  }
  return false;
}

/**
 * Reads one value of each cache line of a searcher's rows (its guide entries, running sums and
 * cells) before its contacts do. The rows are rarely in cache (a searcher's home is anywhere, and
 * a quarter's other steps pass over every household in between), and each contact's reads depend
 * on the one before, so each miss was waited out in turn; these reads are independent of each
 * other and overlap. Their sum goes to SINK so that they are not dropped as unused.
 */
function touchRows(guide: Int32Array, g0: number, cum: Float64Array, index: Int32Array, a: number, b: number): void {
  let x = 0;
  for (let j = g0; j < g0 + GUIDE_BUCKETS; j += 16) x += guide[j]!;
  for (let e = a; e < b; e += 8) x += cum[e]!;
  for (let e = a; e < b; e += 16) x += index[e]!;
  SINK[0] = x;
}
const SINK = new Float64Array(1);

/** Household s takes a job at `firm`. */
function hire(w: World, s: number, firm: number): void {
  const h = w.households;
  h.employer[s] = firm;
  w.firms.filled[firm]!++;
  h.unempQuarters[s] = 0;
  h.lifeEvent[s] = 1;
}

/** Extra contacts an unemployed graduate makes at partner firms each quarter. */
export const PIPELINE_CONTACTS = 3;
/**
 * Partner firms favour the hub's graduates: they tolerate twice the usual skill shortfall (they
 * know what the hub taught and vouch for its graduates, as the Weston foundation hired its own).
 */
export const PIPELINE_TOLERANCE = 2;
/** Quarters a graduate keeps its standing once no partner firm is left (a programme's end). */
export const GRADUATE_QUARTERS = 8;

/**
 * One unemployed graduate's contacts at partner firms: up to PIPELINE_CONTACTS tries, each at a
 * random partner within the commute radius; a partner with a vacancy hires with probability
 * exp(-shortfall / (PIPELINE_TOLERANCE × tolerance)) × (0.5 + 0.5 health) — no referral-network
 * penalty, since the hub is the referral. Returns true if hired.
 */
export function pipelineSearch(w: World, s: number, partners: readonly number[], rs: Stream): boolean {
  const h = w.households;
  const f = w.firms;
  const lab = w.config.labour;
  const home = h.cell[s]!;
  if (home < 0 || partners.length === 0) return false;
  const { x, y } = w.geo;
  const r2 = lab.commuteRadius * lab.commuteRadius;
  const tolerance = PIPELINE_TOLERANCE * lab.skillTolerance;
  const healthFactor = 0.5 + 0.5 * h.health[s]!;
  for (let k = 0; k < PIPELINE_CONTACTS; k++) {
    const firm = partners[Math.floor(rs.next() * partners.length)]!;
    if (f.filled[firm]! >= f.jobs[firm]!) continue;
    const c = f.cell[firm]!;
    const dx = x[c]! - x[home]!;
    const dy = y[c]! - y[home]!;
    if (dx * dx + dy * dy > r2) continue;
    const shortfall = Math.max(0, f.skillReq[firm]! - h.skill[s]!);
    if (rs.next() < Math.exp(-shortfall / tolerance) * healthFactor) {
      hire(w, s, firm);
      return true;
    }
  }
  return false;
}

/** Income of one household: wage × hours, or pension, or benefits; plus transfers and allowances. */
export function setIncome(w: World, s: number): void {
  const h = w.households;
  const eco = w.config.economy;
  const lab = w.config.labour;
  const e = h.employer[s]!;
  let y: number;
  if (e >= 0) y = w.firms.wage[e]! * h.hours[s]!;
  else if (h.age[s]! >= lab.retirementAge) y = pensionOf(eco.pension, h.skill[s]!);
  else y = benefitOf(eco.benefit, eco.childBenefit, h.kids[s]!) + (h.sick[s] ? eco.sicknessElement : 0);
  h.income[s] = withTransfers(y, h.transfer[s]!, h.areaBenefit[s]!, h.allowance[s]!);
}

/** A pension that grows with the skill (and so the earnings) of a working life. */
function pensionOf(pension: number, skill: number): number {
  return pension * (0.55 + 0.9 * skill);
}

/** Out-of-work benefit with child benefit. */
function benefitOf(benefit: number, childBenefit: number, kids: number): number {
  return benefit + childBenefit * kids;
}

/** Income from work, pension or benefit, with the programme's transfers and the housing allowance. */
function withTransfers(y: number, transfer: number, areaBenefit: number, allowance: number): number {
  return y + transfer + areaBenefit + allowance;
}

/** Income of every household. */
export function updateIncomes(w: World): void {
  const h = w.households;
  for (let s = 0; s < h.count; s++) if (h.alive[s]) setIncome(w, s);
}

export const labour = {
  name: 'labour',
  step(w: World): void {
    const f = w.firms;
    const rs = w.rng.stream('labour');
    indexFirmsByCell(w);
    f.skillSum.fill(0, 0, f.count);
    const unemployed = w.scratch;
    const nUnemployed = separations(w, unemployed);
    // Search in random order so that no household is favoured by its slot number.
    shuffle(unemployed, nUnemployed, rs);
    searchAll(w, unemployed, nUnemployed, rs);
    // The employer pipeline, after everyone's normal search so that it does not shift their draws.
    employerPipeline(w, unemployed, nUnemployed, rs);
    w.city.jobVacancies = countVacancies(w);
  },
};

/**
 * The unemployed's searches, in the (shuffled) order of `unemployed`, and the income each then
 * has. A function of its own, with nothing after its loop (see sim/census.ts).
 */
function searchAll(w: World, unemployed: Int32Array, nUnemployed: number, rs: Stream): void {
  const h = w.households;
  const skillSum = w.firms.skillSum;
  const employer = h.employer;
  const skill = h.skill;
  const unempQuarters = h.unempQuarters;
  const contacts = w.config.labour.searchContacts;
  const guide = contactGuide(w);
  for (let i = 0; i < nUnemployed; i++) {
    const s = unemployed[i]!;
    if (searchJobGuided(w, s, contacts, rs, guide)) skillSum[employer[s]!]! += skill[s]!;
    else if (unempQuarters[s]! < 65535) unempQuarters[s]!++;
    setIncome(w, s);
  }
}

/**
 * Separations and retirement, and the income of everyone not searching; the unemployed of working
 * age go to `unemployed` (their count is returned). A firm over its job count sheds the excess at
 * random. A function of its own, with nothing after its loop (see sim/census.ts); the income is
 * setIncome's, by the same rules, over the stores held in locals.
 */
function separations(w: World, unemployed: Int32Array): number {
  const h = w.households;
  const f = w.firms;
  const lab = w.config.labour;
  const eco = w.config.economy;
  const tick = w.city.tick;
  const separationKey = w.rng.keyBase('separation');
  const alive = h.alive;
  const cell = h.cell;
  const employer = h.employer;
  const ages = h.age;
  const skill = h.skill;
  const health = h.health;
  const id = h.id;
  const hours = h.hours;
  const income = h.income;
  const transfer = h.transfer;
  const areaBenefit = h.areaBenefit;
  const allowance = h.allowance;
  const kids = h.kids;
  const filled = f.filled;
  const jobs = f.jobs;
  const wage = f.wage;
  const skillSum = f.skillSum;
  const retire = lab.retirementAge;
  const separationRate = lab.separationRate;
  const healthSeparation = lab.healthSeparation;
  const pension = eco.pension;
  const benefit = eco.benefit;
  const childBenefit = eco.childBenefit;
  const sicknessElement = eco.sicknessElement;
  const sickThreshold = lab.sickThreshold;
  const sickRecovery = lab.sickRecoveryThreshold;
  const sickLeave = lab.sickLeaveThreshold;
  const unempQuarters = h.unempQuarters;
  const sick = h.sick;
  let nUnemployed = 0;
  const n = h.count;
  for (let s = 0; s < n; s++) {
    if (!alive[s] || cell[s]! < 0) continue;
    const e = employer[s]!;
    let y: number;
    if (ages[s]! >= retire) {
      if (e >= 0) {
        filled[e]!--;
        employer[s] = -1;
      }
      sick[s] = 0;
      y = pensionOf(pension, skill[s]!);
    } else if (e >= 0) {
      const excess = filled[e]! > jobs[e]! ? (filled[e]! - jobs[e]!) / filled[e]! : 0;
      // Low-paid, low-skill jobs end more often (ONS labour flows): the base hazard doubles at
      // skill 0 and vanishes at skill 1, averaging `separationRate` at the mean skill.
      const hazard = separationRate * 2 * (1 - skill[s]!) + healthSeparation * (1 - health[s]!) + excess;
      // Health below the leaving line ends the job whatever the draw: ill health, not luck.
      if (health[s]! < sickLeave || keyedDraw(separationKey, id[s]!, tick) < hazard) {
        filled[e]!--;
        employer[s] = -1;
        unempQuarters[s] = 0;
        h.lifeEvent[s] = 1;
        // Left through ill health, or laid off in health already below the line: sick from now.
        const ill = health[s]! < sickThreshold ? 1 : 0;
        sick[s] = ill;
        y = benefitOf(benefit, childBenefit, kids[s]!) + ill * sicknessElement;
      } else {
        skillSum[e]! += skill[s]!;
        y = wage[e]! * hours[s]!;
      }
    } else if (sick[s] ? health[s]! < sickRecovery : health[s]! < sickThreshold) {
      // Out of work through ill health: no search; the quarters out of work still count.
      sick[s] = 1;
      if (unempQuarters[s]! < 65535) unempQuarters[s]!++;
      y = benefitOf(benefit, childBenefit, kids[s]!) + sicknessElement;
    } else {
      sick[s] = 0;
      unemployed[nUnemployed++] = s;
      continue;
    }
    income[s] = withTransfers(y, transfer[s]!, areaBenefit[s]!, allowance[s]!);
  }
  return nUnemployed;
}

/**
 * Unemployed graduates contact partner firms; without any partner, a graduate's standing lapses
 * after GRADUATE_QUARTERS (1 = graduate, counting up). Functions of their own, with nothing after
 * their loops: only hub runs take the pipeline's branch, and V8 would otherwise throw the step's
 * optimised code away each time one did (sim/census.ts).
 */
function employerPipeline(w: World, unemployed: Int32Array, nUnemployed: number, rs: Stream): void {
  const partners = partnerFirms(w);
  if (partners.length > 0) pipelineRound(w, unemployed, nUnemployed, partners, rs);
  else lapseGraduates(w);
}

function partnerFirms(w: World): number[] {
  const f = w.firms;
  const partners: number[] = [];
  for (let i = 0; i < f.count; i++) if (f.alive[i] && f.partner[i]) partners.push(i);
  return partners;
}

function pipelineRound(w: World, unemployed: Int32Array, nUnemployed: number, partners: readonly number[], rs: Stream): void {
  const h = w.households;
  const f = w.firms;
  for (let i = 0; i < nUnemployed; i++) {
    const s = unemployed[i]!;
    if (!h.graduate[s] || h.employer[s]! >= 0) continue;
    if (pipelineSearch(w, s, partners, rs)) {
      f.skillSum[h.employer[s]!]! += h.skill[s]!;
      setIncome(w, s);
    }
  }
}

function lapseGraduates(w: World): void {
  const h = w.households;
  for (let s = 0; s < h.count; s++) {
    const g = h.graduate[s]!;
    if (g > 0) h.graduate[s] = g > GRADUATE_QUARTERS ? 0 : g + 1;
  }
}

function countVacancies(w: World): number {
  const f = w.firms;
  let vacancies = 0;
  for (let i = 0; i < f.count; i++) if (f.alive[i]) vacancies += Math.max(0, f.jobs[i]! - f.filled[i]!);
  return vacancies;
}
