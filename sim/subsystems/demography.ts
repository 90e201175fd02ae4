/**
 * Demography and migration (MODEL.md §3.5).
 *
 * Ageing; dissolution of old households (hazard doubling every 8 years from 75: Gompertz);
 * births to households whose head is 20–42; grown children (18+) leave home and form households
 * whose skill follows their attainment (the inter-generational channel); out-migration for
 * reasons outside the city; arrivals whose number follows the city's job vacancies and rents and
 * whose skill follows the skills that vacant jobs ask. New and arriving households are queued as
 * seekers: the mobility step houses them or, if nothing affordable is free, they leave (or never
 * come).
 *
 * Reads: households, firms (vacancies, skill requirements), cells (rent), city.
 * Writes: households (age, kids, kidAge, attainment, lifeEvent; new households), seekers, moves,
 * city counters. Random: one keyed "demography" draw per household and quarter for its competing
 * events (dissolution, out-migration, birth, a child leaving home), keyed "childSkill" and
 * "hours1-3" for a new household (a household's luck is the same in a policy run and its
 * counterfactual); stream
 * "migration" for arrivals.
 */
import { keyedDraw } from '../rng.ts';
import type { Stream } from '../rng.ts';
import type { World } from '../world.ts';
import { ARRIVED, DISSOLVED, FORMED, LEFT, OUTSIDE, OWNER, PRIVATE, addHousehold, addSeeker, inheritOrigins, logMove, removeHousehold } from '../world.ts';

const ADULT = 72; // quarters: 18 years

/** 2^((a − 75) / 8) for whole ages a below MAX_TABLE_AGE: the Gompertz factor of the death hazard. */
const MAX_TABLE_AGE = 150;
const GOMPERTZ = Float64Array.from({ length: MAX_TABLE_AGE + 1 }, (_, a) => Math.pow(2, (a - 75) / 8));

export const demography = {
  name: 'demography',
  step(w: World): void {
    const candidates = w.scratch;
    const count = ageAndDraw(w, candidates);
    quarterEvents(w, candidates, count);
    arrivals(w, w.rng.stream('migration'));
  },
};

/**
 * Ageing of every household, and the households whose quarter's draw may fall on an event, in
 * slot order into `candidates` (their count is returned); everyone else's children age here.
 *
 * The events themselves wait for quarterEvents, in the same order: an event changes only its own
 * household, the slot of a household it forms (a free slot, or a new one past the last this pass
 * visits: a slot not alive, or alive but not yet housed, which this pass skips either way), the
 * move log and the city's counters, none of which this pass reads. Kept apart, the pass has no
 * rarely taken branch (V8 compiles a branch it has never seen taken as a bail-out, and took the
 * whole pass back to the interpreter the first time a rare event happened) and no branch on age
 * and children, which differ from one household to the next in no order: a comparison is 0 or 1,
 * a rate × 0 adds exactly nothing, and the candidate list always takes the slot but counts it
 * only when it is one.
 */
function ageAndDraw(w: World, candidates: Int32Array): number {
  const h = w.households;
  const d = w.config.demography;
  const tick = w.city.tick;
  const n = h.count;
  const eventKey = w.rng.keyBase('demography');
  const alive = h.alive;
  const cell = h.cell;
  const ages = h.age;
  const id = h.id;
  const kids = h.kids;
  const kidAge = h.kidAge;
  const outMigrationRate = d.outMigrationRate;
  const birthRate = d.birthRate;
  const leaveHomeRate = d.leaveHomeRate;
  const deathBounds = deathBoundTable(d.deathRate);
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (!alive[s] || cell[s]! < 0) continue;
    ages[s]! += 0.25;
    const age = ages[s]!;
    // One keyed draw decides the quarter's demographic event: the events are competing risks
    // (at most one a quarter), each with its own slice of [0, 1).
    const u = keyedDraw(eventKey, id[s]!, tick);
    // Most quarters no event's slice can reach the draw: then only the children age. The bound
    // takes the death hazard at the next whole year of age (it only grows with age), so the
    // power in quarterEvent is computed only for the few draws that might fall under it; it
    // counts a birth only where one can happen, and a child leaving home only where a child will
    // be grown (18) once it has aged this quarter.
    const k = kids[s]!;
    const ka = kidAge[s]!;
    const fertile = +(age >= 20) & +(age < 42) & +(k < 3);
    const grown = +(k > 0) & +(ka >= ADULT - 1);
    const deathBound = deathBounds[Math.min(MAX_TABLE_AGE + 1, Math.floor(age) + 1)]!;
    const quiet = +(u > (deathBound + outMigrationRate + birthRate * fertile + leaveHomeRate * grown) * (1 + 1e-9));
    kidAge[s] = ka + (quiet & +(k > 0) & +(ka < 255));
    candidates[count] = s;
    count += 1 - quiet;
  }
  return count;
}

/** The events of the candidates of ageAndDraw, in slot order. */
function quarterEvents(w: World, candidates: Int32Array, count: number): void {
  const h = w.households;
  const eventKey = w.rng.keyBase('demography');
  const tick = w.city.tick;
  for (let i = 0; i < count; i++) {
    const s = candidates[i]!;
    const age = h.age[s]!;
    quarterEvent(w, s, age, keyedDraw(eventKey, h.id[s]!, tick), age >= 20 && age < 42 && h.kids[s]! < 3);
  }
}

/**
 * Bound on the death hazard by whole age j = floor(age) + 1 (≥ the age, rounded up): none before
 * 60, deathRate × 2^((j − 75) / 8) from 60 until MAX_TABLE_AGE, and Infinity past it. The table
 * of the last death rate asked for is kept (a pure function of it).
 */
let boundRate = NaN;
let boundTable = new Float64Array(MAX_TABLE_AGE + 2);
function deathBoundTable(deathRate: number): Float64Array {
  if (deathRate !== boundRate) {
    const t = new Float64Array(MAX_TABLE_AGE + 2);
    for (let j = 61; j <= MAX_TABLE_AGE; j++) t[j] = deathRate * GOMPERTZ[j]!;
    t[MAX_TABLE_AGE + 1] = Infinity;
    boundTable = t;
    boundRate = deathRate;
  }
  return boundTable;
}

/** The event, if any, that the draw u falls on for household s (aged `age` now). */
function quarterEvent(w: World, s: number, age: number, u: number, fertile: boolean): void {
  const h = w.households;
  const d = w.config.demography;
  let edge = age >= 60 ? d.deathRate * Math.pow(2, (age - 75) / 8) : 0;
  if (u < edge) {
    logMove(w, s, h.cell[s]!, OUTSIDE, DISSOLVED);
    removeHousehold(w, s);
    w.city.deaths++;
    return;
  }
  if (u < (edge += d.outMigrationRate)) {
    logMove(w, s, h.cell[s]!, OUTSIDE, LEFT);
    removeHousehold(w, s);
    w.city.departures++;
    return;
  }
  if (fertile && u < edge + d.birthRate) {
    if (h.kids[s] === 0) {
      h.kidAge[s] = 0;
      h.attainment[s] = 0.3;
    }
    h.kids[s]!++;
    h.lifeEvent[s] = 1;
    w.city.births++;
  }
  if (h.kids[s]! > 0) {
    if (h.kidAge[s]! < 255) h.kidAge[s]!++;
    const start = edge + (fertile ? d.birthRate : 0);
    if (h.kidAge[s]! >= ADULT && u >= start && u < start + d.leaveHomeRate) formHousehold(w, s);
  }
}

/** A grown child leaves home: a new household whose skill follows the child's attainment. */
function formHousehold(w: World, parent: number): void {
  const h = w.households;
  const s = addHousehold(h);
  const kidAge = h.kidAge[parent]!;
  const att = h.attainment[parent]!;
  h.kids[parent]!--;
  h.lifeEvent[parent] = 1;
  if (h.kids[parent]! > 0) h.kidAge[parent] = Math.max(0, kidAge - 12);
  if (s < 0) return;
  h.age[s] = 18 + (kidAge - ADULT) / 4;
  // Skill from attainment with a keyed individual deviation (the child's own luck).
  const u = w.rng.keyed('childSkill', h.id[s]!, w.city.tick);
  h.skill[s] = clamp01(0.08 + 0.8 * att + 0.16 * (u - 0.5));
  h.health[s] = clamp01(h.health[parent]! + 0.1);
  // Approximately normal from three keyed uniforms (Irwin–Hall), so the draw stays keyed.
  const sd = w.config.households.hoursSd;
  const z = (w.rng.keyed('hours1', h.id[s]!, 0) + w.rng.keyed('hours2', h.id[s]!, 0) + w.rng.keyed('hours3', h.id[s]!, 0) - 1.5) * 2;
  h.hours[s] = Math.exp(sd * z - (sd * sd) / 2);
  h.tenure[s] = PRIVATE;
  h.income[s] = w.config.economy.benefit;
  h.movedTick[s] = w.city.tick;
  inheritOrigins(w, parent, s, w.city.tick - kidAge);
  addSeeker(w, s, FORMED, h.cell[parent]!);
  w.city.formed++;
}

/** Arrivals from outside: their number follows job vacancies and rents. */
function arrivals(w: World, rs: Stream): void {
  const h = w.households;
  const f = w.firms;
  const cfg = w.config;
  const d = cfg.demography;
  let households = 0;
  let rentSum = 0;
  let units = 0;
  for (let k = 0; k < w.cells.n; k++) {
    households += w.cells.households[k]!;
    rentSum += w.cells.rent[k]! * w.cells.units[k]!;
    units += w.cells.units[k]!;
  }
  const rentIndex = units > 0 ? rentSum / units / cfg.housing.baseRent : 1;
  let vacSkill = 0;
  let vac = 0;
  for (let i = 0; i < f.count; i++) {
    if (!f.alive[i]) continue;
    const v = Math.max(0, f.jobs[i]! - f.filled[i]!);
    vac += v;
    vacSkill += v * f.skillReq[i]!;
  }
  const vacancyRate = households > 0 ? vac / households : 0;
  const pull = Math.min(3, Math.max(0.2, 1 + 8 * (vacancyRate - 0.03) - 1.5 * (rentIndex - 1)));
  const count = rs.poisson(d.inMigrationRate * households * pull);
  const meanSkill = cfg.households.meanSkill;
  const skillMean = vac > 0 ? meanSkill + d.migrantSkillShift * (vacSkill / vac - meanSkill) : meanSkill;
  for (let a = 0; a < count; a++) {
    const s = addHousehold(h);
    if (s < 0) return;
    h.age[s] = 20 + 25 * rs.next();
    h.skill[s] = clamp01(skillMean + cfg.households.skillSd * rs.normal());
    h.hours[s] = Math.exp(cfg.households.hoursSd * rs.normal() - (cfg.households.hoursSd ** 2) / 2);
    h.health[s] = clamp01(0.75 + 0.1 * rs.normal());
    if (rs.next() < cfg.households.childrenShare) {
      h.kids[s] = 1 + (rs.next() < 0.4 ? 1 : 0);
      h.kidAge[s] = Math.floor(rs.next() * Math.min(64, (h.age[s]! - 18) * 4));
      h.attainment[s] = 0.3 + 0.3 * h.skill[s]!;
    }
    // Richer, older arrivals buy; the rest rent privately (social housing is allocated by need).
    h.tenure[s] = h.skill[s]! > 0.6 && rs.next() < 0.5 ? OWNER : PRIVATE;
    h.income[s] = cfg.economy.benefit + cfg.economy.childBenefit * h.kids[s]!;
    // Most arrivals come for a job: they take a vacancy that fits their skill before they move.
    for (let t = 0; t < 12 && f.count > 0; t++) {
      const i = Math.floor(rs.next() * f.count);
      if (f.alive[i] && f.filled[i]! < f.jobs[i]! && f.skillReq[i]! <= h.skill[s]! + 0.05) {
        h.employer[s] = i;
        f.filled[i]!++;
        f.skillSum[i]! += h.skill[s]!;
        h.income[s] = f.wage[i]! * h.hours[s]!;
        break;
      }
    }
    h.movedTick[s] = w.city.tick;
    addSeeker(w, s, ARRIVED, OUTSIDE);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
