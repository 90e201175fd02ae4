/**
 * Human capital and health (MODEL.md §3.4).
 *
 * - Schools: each neighbourhood belongs to the catchment of its nearest open school. A school's
 *   quality drifts toward its base quality (plus any investment, a lever) minus a peer effect of a
 *   poorer-than-average intake; crowding over capacity lowers its effectiveness.
 * - Children's attainment approaches a target set by effective school quality, parental skill and
 *   family support (a lever, plus the support a non-poor household gives by itself).
 * - Adult skill grows at work and with training (a lever) and decays after a year of unemployment.
 * - Health approaches a target set by clinic access (distance decay × capacity), income,
 *   environment and age; rare illness shocks are keyed to the household and quarter.
 *
 * Reads: households, cells (environment, school/clinic catchments), resources, city.
 * Writes: resources.users, quality; cells.schoolQuality, clinicAccess, school, clinic (on change);
 * households.attainment, skill, health. Random: keyed "illness" (a household's luck).
 */
import { nearestSite } from '../geography.ts';
import { keyedDraw } from '../rng.ts';
import type { World } from '../world.ts';
import { CLINIC, SCHOOL } from '../world.ts';

/** Children are in school from 4 to 18 years (quarters). */
const SCHOOL_START = 16;
const SCHOOL_END = 72;
/** Support a household gives its children by itself when it is not poor. */
const HOME_SUPPORT = 0.5;
/** Quarterly illness hazard and its effect (ONS: ~4% of adults a year develop a limiting illness). */
const ILLNESS_RATE = 0.01;
const ILLNESS_HIT = 0.2;

/** Recomputes each cell's nearest open school and clinic. */
export function assignCatchments(w: World): void {
  const r = w.resources;
  const c = w.cells;
  for (const [kind, site, dist] of [
    [SCHOOL, c.school, c.schoolDist],
    [CLINIC, c.clinic, c.clinicDist],
  ] as const) {
    const cellsOf: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < r.count; i++) {
      if (r.kind[i] === kind && r.open[i]) {
        cellsOf.push(r.cell[i]!);
        ids.push(i);
      }
    }
    const near = nearestSite(w.geo, cellsOf);
    for (let k = 0; k < c.n; k++) {
      site[k] = near.site[k]! >= 0 ? ids[near.site[k]!]! : -1;
      dist[k] = near.dist[k]!;
    }
  }
  w.resourcesDirty = false;
}

/** Users of each school and clinic, and the poor households among each school's pupils. */
function countUsers(w: World): void {
  const h = w.households;
  const r = w.resources;
  const c = w.cells;
  const poorPupils = r.poorUsers;
  r.users.fill(0);
  poorPupils.fill(0);
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k < 0) continue;
    const cl = c.clinic[k]!;
    if (cl >= 0) r.users[cl]!++;
    if (h.kids[s]! > 0 && h.kidAge[s]! >= SCHOOL_START && h.kidAge[s]! < SCHOOL_END) {
      const sc = c.school[k]!;
      if (sc >= 0) {
        r.users[sc]!++;
        if (h.poor[s]) poorPupils[sc]!++;
      }
    }
  }
}

/** Effective quality of every school and the clinic access of every cell. */
export function updateResources(w: World): void {
  const r = w.resources;
  const c = w.cells;
  const hc = w.config.humanCapital;
  // Users are counted afresh when catchments change, else as the last human-capital step counted
  // them (a quarter's lag, which saves a pass over the households).
  if (w.resourcesDirty) {
    assignCatchments(w);
    countUsers(w);
  }
  const poorPupils = r.poorUsers;
  let pupils = 0;
  let poor = 0;
  for (let i = 0; i < r.count; i++) {
    if (r.kind[i] !== SCHOOL) continue;
    pupils += r.users[i]!;
    poor += poorPupils[i]!;
  }
  const cityPoorShare = pupils > 0 ? poor / pupils : 0;
  // Closed resources keep 0, as in a new array.
  const effective = scratchFor(w, 2);
  for (let i = 0; i < r.count; i++) {
    if (!r.open[i]) continue;
    // Investment (hub programmes) decays by a tenth a year once it stops.
    r.investment[i]! *= 0.975;
    const over = r.users[i]! > r.capacity[i]! ? r.capacity[i]! / r.users[i]! : 1;
    if (r.kind[i] === SCHOOL) {
      const share = r.users[i]! > 0 ? poorPupils[i]! / r.users[i]! : 0;
      const target = r.baseQuality[i]! + r.investment[i]! - hc.peerEffect * (share - cityPoorShare);
      r.quality[i]! += 0.03 * (Math.min(1, Math.max(0.05, target)) - r.quality[i]!);
      effective[i] = r.quality[i]! * Math.pow(over, hc.crowdingPenalty);
    } else {
      effective[i] = Math.min(1, r.quality[i]! + r.investment[i]!) * over;
    }
  }
  for (let k = 0; k < c.n; k++) {
    const sc = c.school[k]!;
    c.schoolQuality[k] = sc >= 0 ? effective[sc]! : 0;
    const cl = c.clinic[k]!;
    c.clinicAccess[k] = cl >= 0 ? effective[cl]! * Math.exp(-c.clinicDist[k]! / hc.clinicDecay) : 0;
  }
}

export const humanCapital = {
  name: 'humanCapital',
  step(w: World): void {
    updateResources(w);
    // This pass also counts the users the next step will see.
    const r = w.resources;
    const users = scratchFor(w, 0);
    const poorUsers = scratchFor(w, 1);
    updatePeople(w, users, poorUsers);
    r.users.set(users);
    r.poorUsers.set(poorUsers);
  },
};

/**
 * Children's attainment, adults' skill and everyone's health for a quarter, counting each school's
 * and clinic's users on the way. The pass is a function of its own, with nothing after its loop, so
 * that V8 keeps the code it optimises while the loop runs (see sim/census.ts).
 */
function updatePeople(w: World, users: Float32Array, poorUsers: Float32Array): void {
  const h = w.households;
  const c = w.cells;
  const hc = w.config.humanCapital;
  const retire = w.config.labour.retirementAge;
  const tick = w.city.tick;
  const incomeScale = 2 * Math.max(1, w.city.medianIncome);
  const illnessKey = w.rng.keyBase('illness');
  const alive = h.alive;
  const cell = h.cell;
  const kids = h.kids;
  const kidAge = h.kidAge;
  const poor = h.poor;
  const support = h.support;
  const attainment = h.attainment;
  const skill = h.skill;
  const ages = h.age;
  const employer = h.employer;
  const unempQuarters = h.unempQuarters;
  const training = h.training;
  const income = h.income;
  const health = h.health;
  const id = h.id;
  const clinic = c.clinic;
  const school = c.school;
  const schoolQuality = c.schoolQuality;
  const clinicAccess = c.clinicAccess;
  const environment = c.environment;
  const schoolEffect = hc.schoolEffect;
  const parentEffect = hc.parentEffect;
  const supportEffect = hc.supportEffect;
  const attainmentRate = hc.attainmentRate;
  const learningOnJob = hc.learningOnJob;
  const unemploymentDecay = hc.unemploymentDecay;
  const trainingGain = hc.trainingGain;
  const healthRate = hc.healthRate;
  const environmentHealth = hc.environmentHealth;
  const n = h.count;
  for (let s = 0; s < n; s++) {
    if (!alive[s]) continue;
    const k = cell[s]!;
    if (k < 0) continue;
    const cl = clinic[k]!;
    if (cl >= 0) users[cl]!++;
    // Children in school.
    const ka = kidAge[s]!;
    if (kids[s]! > 0 && ka >= SCHOOL_START && ka < SCHOOL_END) {
      const sc = school[k]!;
      const p = poor[s]!;
      if (sc >= 0) {
        users[sc]!++;
        poorUsers[sc]! += p;
      }
      const sup = Math.min(1, support[s]! + HOME_SUPPORT * (1 - p));
      const target = 0.1 + schoolEffect * schoolQuality[k]! + parentEffect * skill[s]! + supportEffect * sup;
      attainment[s]! += attainmentRate * (Math.min(1, target) - attainment[s]!);
    }
    const age = ages[s]!;
    // Adult skill.
    if (age < retire) {
      let sk = skill[s]!;
      if (employer[s]! >= 0) sk += learningOnJob * (1 - sk);
      else if (unempQuarters[s]! >= 4) sk -= unemploymentDecay * sk;
      sk += trainingGain * training[s]! * (1 - sk);
      skill[s] = Math.min(1, Math.max(0, sk));
    }
    // Health. max(0, x) = (x + |x|) / 2 and min(1, y) = y − max(0, y − 1) give the same numbers
    // without a branch (y − 1 is exact for 1 ≤ y < 2^52; below 1 only its sign counts); whether
    // a head is over 45 or its income over the scale varies with no order, so a branch on it was
    // mispredicted often.
    const over45 = (age - 45) / 50;
    const ageLoss = (over45 + Math.abs(over45)) * 0.5;
    const relIncome = income[s]! / incomeScale;
    const excess = relIncome - 1;
    const cappedIncome = relIncome - (excess + Math.abs(excess)) * 0.5;
    const target = 0.48 + 0.25 * clinicAccess[k]! + 0.25 * cappedIncome + environmentHealth * (environment[k]! - 0.5) - 0.3 * ageLoss;
    let hl = health[s]! + healthRate * (target - health[s]!);
    if (keyedDraw(illnessKey, id[s]!, tick) < ILLNESS_RATE) hl -= ILLNESS_HIT;
    health[s] = Math.min(1, Math.max(0, hl));
  }
}

const scratchCache = new WeakMap<World, Float32Array[]>();
/** A zeroed per-resource buffer, reused across ticks. */
function scratchFor(w: World, i: number): Float32Array {
  let list = scratchCache.get(w);
  if (!list) scratchCache.set(w, (list = [new Float32Array(w.resources.count), new Float32Array(w.resources.count), new Float32Array(w.resources.count)]));
  return list[i]!.fill(0);
}
