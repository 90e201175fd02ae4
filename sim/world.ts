/**
 * The world: struct-of-arrays stores for households, firms, core resources and neighbourhoods.
 *
 * Every entity kind is one store of preallocated typed arrays with a capacity; links are Int32Array
 * indices with -1 for none. Household and firm slots are recycled through free lists, but each
 * household also carries a stable `id` (never reused) so that it can be followed for the whole run.
 * Nothing here knows about policies or metrics.
 */
import type { ScenarioConfig } from './config/schema.ts';
import type { Geography, RadiusLists } from './geography.ts';
import { createRng, type Rng } from './rng.ts';

/** Tenure codes. */
export const OWNER = 0;
export const PRIVATE = 1;
export const SOCIAL = 2;

/** Move reasons recorded in the move log. */
export const MOVE_REASONS = ['voluntary', 'rent', 'demolition', 'formed', 'arrived', 'left', 'dissolved'] as const;
export const VOLUNTARY = 0;
export const RENT = 1;
export const DEMOLITION = 2;
export const FORMED = 3;
export const ARRIVED = 4;
export const LEFT = 5;
export const DISSOLVED = 6;

/** Cell code in the move log for "outside the city". */
export const OUTSIDE = -1;

export interface Households {
  capacity: number;
  /** High-water mark of used slots: iterate 0..count and skip !alive. */
  count: number;
  alive: Uint8Array;
  id: Int32Array;
  cell: Int32Array;
  /** Disposable income, pounds a year: earnings or benefits, transfers, housing allowance. */
  income: Float32Array;
  /** Housing allowance part of income (pounds a year). */
  allowance: Float32Array;
  /** Firm slot, -1 when not employed. */
  employer: Int32Array;
  skill: Float32Array;
  /**
   * Earnings of this household relative to one full-time wage at its job: hours worked and a
   * second earner (ONS: a quarter of working households have one part-time earner only).
   */
  hours: Float32Array;
  health: Float32Array;
  /** Age of the household head in years. */
  age: Float32Array;
  kids: Uint8Array;
  /** Age of the eldest dependent child, in quarters. */
  kidAge: Uint8Array;
  /** Attainment of the household's children in school, 0..1. */
  attainment: Float32Array;
  tenure: Uint8Array;
  /**
   * Tick the household moved into its current home (negative: before the run). 16 bits: a run's
   * ticks are quarters (±8,000 years fit), and the two bytes saved pay for `sick`.
   */
  movedTick: Int16Array;
  ties: Float32Array;
  poor: Uint8Array;
  unempQuarters: Uint16Array;
  /**
   * The working-age head is out of work through ill health (sim/subsystems/labour.ts): it does not
   * search and draws the sickness element. Stored, not read off health, because the spell ends at
   * a higher health than it began (labour.sickRecoveryThreshold). A head who reaches retirement age
   * keeps the flag until the next labour step clears it; readers count it among working age only.
   */
  sick: Uint8Array;
  burdenQuarters: Uint8Array;
  /** Set in a tick with a birth, a job change or a grown child: raises the move hazard. */
  lifeEvent: Uint8Array;
  /**
   * Cell lived in when the programme started (-1: not a resident then). A household a grown child
   * of an original resident has set up since holds `grownChildMark` of that cell (≤ -2): one of
   * the original residents as people, counted in a view of its own (`grownChildren`).
   */
  startCell: Int32Array;
  /** Poor when the programme started. */
  startPoor: Uint8Array;
  /** Was poor at the start and has since been out of poverty at a year's end. */
  exitedPoverty: Uint8Array;
  /**
   * Lived in the adjacent ring when the programme started: 1 not poor then, 2 poor then (0: did
   * not). The ring's poverty change splits into the change for these households still living in it
   * and the change from who moved (the churn block's ring decomposition).
   */
  startRing: Uint8Array;
  /** Levers a policy may set: portable transfers (pounds a year), training and family support intensity (0..1). */
  transfer: Float32Array;
  training: Float32Array;
  support: Float32Array;
  /** Area programme benefit tied to residence in the target (pounds a year). */
  areaBenefit: Float32Array;
  /** Took part in a hub's programmes: partner firms favour it (the employer pipeline). */
  graduate: Uint8Array;
  free: Int32Array;
  freeCount: number;
  nextId: number;
}

export interface Firms {
  capacity: number;
  count: number;
  alive: Uint8Array;
  cell: Int32Array;
  /** 0 local services, 1 tradable. */
  sector: Uint8Array;
  jobs: Int32Array;
  filled: Int32Array;
  skillReq: Float32Array;
  wage: Float32Array;
  floorspace: Float32Array;
  /** Exponential average of profit over revenue. */
  margin: Float32Array;
  lossQuarters: Uint8Array;
  bornTick: Int32Array;
  movedTick: Int32Array;
  movedFrom: Int32Array;
  /** Sum of the skills of current workers (recomputed every tick). */
  skillSum: Float64Array;
  /** A hub's partner employer: it hires the hub's graduates first. */
  partner: Uint8Array;
  free: Int32Array;
  freeCount: number;
  /**
   * Slots of firms that exited this tick: they join the free list next tick, once the labour
   * step has released their workers (a slot reused at once would hand them a new employer).
   */
  pending: Int32Array;
  pendingCount: number;
}

export const SCHOOL = 0;
export const CLINIC = 1;

export interface Resources {
  count: number;
  kind: Uint8Array;
  cell: Int32Array;
  capacity: Float32Array;
  quality: Float32Array;
  /** Quality the institution tends to with an average intake. */
  baseQuality: Float32Array;
  open: Uint8Array;
  /** Users (pupil households or registered households), and poor pupil households, as last counted. */
  users: Float32Array;
  poorUsers: Float32Array;
  /** Extra quality from investment (a lever: hub programmes), decays slowly. */
  investment: Float32Array;
}

export interface Cells {
  n: number;
  units: Int32Array;
  social: Int32Array;
  occMarket: Int32Array;
  occSocial: Int32Array;
  quality: Float32Array;
  environment: Float32Array;
  /** Market rent, pounds a year per unit. */
  rent: Float32Array;
  /** Commercial floorspace (m2) and the part firms use. */
  floorspace: Float32Array;
  floorUsed: Float32Array;
  /** Brownfield land (acres). */
  brownfield: Float32Array;
  crime: Float32Array;
  cohesion: Float32Array;
  /** Share of commercial rent paid by a firm incentive (a lever). */
  subsidy: Float32Array;
  /** Community activity from hubs (a lever, 0..1): raises cohesion and ties, lowers crime. */
  community: Float32Array;
  /** Protection of sitting tenants from rent-forced moves (a lever, 0..1). */
  tenureSecurity: Float32Array;
  /** Units to demolish at the next housing step (a lever), the rebuild's size and quality. */
  demolish: Int32Array;
  rebuildUnits: Int32Array;
  rebuildQuality: Float32Array;
  rebuildSocial: Int32Array;
  /** Units under construction and the tick they complete. */
  building: Int32Array;
  buildingSocial: Int32Array;
  buildingQuality: Float32Array;
  buildingDone: Int32Array;
  /** Nearest open school and clinic (resource index) and distance. */
  school: Int32Array;
  schoolDist: Float32Array;
  clinic: Int32Array;
  clinicDist: Float32Array;
  // Derived each tick by the census and the subsystems.
  households: Int32Array;
  poor: Int32Array;
  /** Working-age heads without a job who search (the ILO unemployed). */
  unemployed: Int32Array;
  /** Working-age heads in work or searching: the sick (labour.sickThreshold) are outside it. */
  labourForce: Int32Array;
  /** Working-age heads out of work through ill health (households.sick, sim/subsystems/labour.ts). */
  sick: Int32Array;
  incomeSum: Float64Array;
  logIncomeSum: Float64Array;
  residenceSum: Float64Array;
  tiesSum: Float64Array;
  jobAccess: Float32Array;
  demandAccess: Float32Array;
  localJobs: Float32Array;
  schoolQuality: Float32Array;
  clinicAccess: Float32Array;
  // Cumulative counters (whole run) that metrics difference over periods.
  movesIn: Float64Array;
  movesOut: Float64Array;
  forcedOut: Float64Array;
  jobsCreated: Float64Array;
  jobsRelocatedIn: Float64Array;
  jobsRelocatedOut: Float64Array;
  homesBuilt: Float64Array;
  /** Environment the council maintains without extra works (the start value). */
  environmentBase: Float32Array;
  /** Yearly turnover (moves in and out over households), smoothed; and the move count last seen. */
  turnover: Float32Array;
  lastMoves: Float64Array;
  /**
   * The census's working-age heads out of work (unemployed or sick) and all working-age heads in
   * each of the last four quarters (cell k, tick t at 4k + t mod 4), recorded after every tick's
   * census: the deprivation index's employment domain is their four-quarter mean, as the IoD's is
   * (sim/metrics/deprivation.ts). Length 4n.
   */
  outOfWorkQuarters: Int32Array;
  workingAgeQuarters: Int32Array;
}

/** Append-only log of moves: who, when, from, to, why, poor at the time. */
export interface MoveLog {
  length: number;
  hid: Int32Array;
  tick: Int32Array;
  from: Int32Array;
  to: Int32Array;
  reason: Uint8Array;
  poor: Uint8Array;
}

export interface City {
  tick: number;
  /** Poverty line on the measured income (after housing costs by default). */
  povertyLine: number;
  /** 60% of the median income before housing costs: the threshold of means tests. */
  meansTestLine: number;
  medianIncome: number;
  /** Quantile of market rents up to which housing allowance pays. */
  allowanceCap: number;
  meanIncome: number;
  unemploymentRate: number;
  jobVacancies: number;
  /** Calibrated at creation: revenue scale of local services and the demand ratio then. */
  localDemandScale: number;
  socialRent: number;
  arrivals: number;
  departures: number;
  births: number;
  deaths: number;
  formed: number;
}

/** Region codes in `world.region.code`. */
export const REGION_CODES = { target: 1, ring: 2, comparison: 3, rest: 0 } as const;

export interface Region {
  /** 0 rest, 1 target, 2 ring, 3 comparison. */
  code: Uint8Array;
  hasTarget: boolean;
  /** Tick at which the original residents were recorded (-1: not yet). */
  startTick: number;
  /** Original residents at the start, and those since gone from the city (of whom: had exited poverty). */
  originals: number;
  originalsGone: number;
  originalsGoneExited: number;
  /** Move-log length at the start: moves since then are the programme's. */
  moveLogAt: number;
  /** The target's poverty rate at the start, and its cumulative job and home counters then. */
  startPoverty: number;
  /** The ring's poverty rate at the start (the households living in it then). */
  ringStartPoverty: number;
  baseJobsCreated: number;
  /** Filled jobs located in the target at the start. */
  baseJobs: number;
  baseJobsRelocated: number;
  baseHomesBuilt: number;
}

/**
 * The regions of another boundary rule, followed in the same run without acting on it: its own
 * region record and original-resident marks (the households' `startCell`, `startPoor` and
 * `exitedPoverty`, kept here instead). A run without a programme never reads a boundary, so one
 * such run, followed for several rules, reports for each exactly what a run drawn with that rule
 * would (sim/simulation.ts, option `track`). Metrics read a tracker through `trackerView`.
 */
export interface Tracker {
  region: Region;
  startCell: Int32Array;
  startPoor: Uint8Array;
  exitedPoverty: Uint8Array;
  startRing: Uint8Array;
}

/** A tracker with no target yet, for a world whose household slots number `capacity`. */
export function createTracker(cells: number, capacity: number): Tracker {
  return {
    region: {
      code: new Uint8Array(cells), hasTarget: false, startTick: -1, originals: 0, originalsGone: 0, originalsGoneExited: 0, moveLogAt: 0,
      startPoverty: 0, ringStartPoverty: 0, baseJobsCreated: 0, baseJobs: 0, baseJobsRelocated: 0, baseHomesBuilt: 0,
    },
    startCell: new Int32Array(capacity).fill(-1),
    startPoor: new Uint8Array(capacity),
    exitedPoverty: new Uint8Array(capacity),
    startRing: new Uint8Array(capacity),
  };
}

/**
 * The world as a tracker sees it: the same stores, with the tracker's region and original-resident
 * marks in place of the run's own. Its scalars (counts) are copied, so take a fresh view each time
 * one is read; writes to the marks and to the region go to the tracker.
 */
export function trackerView(w: World, t: Tracker): World {
  return assembleWorld(w.config, w.rng, w, t.region, withMarks(w.households, t.startCell, t.startPoor, t.exitedPoverty, t.startRing));
}

/**
 * The household store with other original-resident marks. Written out field by field rather than
 * spread: Node 20's V8 gives the object of a spread with added fields (`{ ...h, startCell }`) a
 * new hidden class at nearly every call once the function has feedback, so every view would be of
 * another shape and the metrics that read it would be compiled again and again.
 */
function withMarks(h: Households, startCell: Int32Array, startPoor: Uint8Array, exitedPoverty: Uint8Array, startRing: Uint8Array): Households {
  return {
    capacity: h.capacity, count: h.count, alive: h.alive, id: h.id, cell: h.cell, income: h.income, allowance: h.allowance,
    employer: h.employer, skill: h.skill, hours: h.hours, health: h.health, age: h.age, kids: h.kids, kidAge: h.kidAge,
    attainment: h.attainment, tenure: h.tenure, movedTick: h.movedTick, ties: h.ties, poor: h.poor,
    unempQuarters: h.unempQuarters, sick: h.sick, burdenQuarters: h.burdenQuarters, lifeEvent: h.lifeEvent,
    startCell, startPoor, exitedPoverty, startRing,
    transfer: h.transfer, training: h.training, support: h.support, areaBenefit: h.areaBenefit, graduate: h.graduate,
    free: h.free, freeCount: h.freeCount, nextId: h.nextId,
  };
}

/**
 * What a programme spent and produced (its outputs), as the policy records them. Jobs created and
 * relocated are not here: the firms subsystem counts them per cell, whoever caused them.
 */
export interface Ledger {
  total: number;
  physical: number;
  people: number;
  floorspace: number;
  homesRefurbished: number;
  privateInvestment: number;
  publicInvestment: number;
  brownfield: number;
  /** Output targets the policy set (name → amount), empty when it sets none. */
  targets: Record<string, number>;
}

export function emptyLedger(): Ledger {
  return { total: 0, physical: 0, people: 0, floorspace: 0, homesRefurbished: 0, privateInvestment: 0, publicInvestment: 0, brownfield: 0, targets: {} };
}

export interface Seekers {
  list: Int32Array;
  reason: Uint8Array;
  /** Where the seeker comes from (a cell, or OUTSIDE). */
  from: Int32Array;
  count: number;
}

export interface World {
  readonly config: ScenarioConfig;
  readonly geo: Geography;
  readonly rng: Rng;
  readonly households: Households;
  readonly firms: Firms;
  readonly resources: Resources;
  readonly cells: Cells;
  readonly city: City;
  readonly moves: MoveLog;
  readonly region: Region;
  /** Regions of other rules followed in the same run (empty unless a run asks for them). */
  readonly trackers: Tracker[];
  readonly ledger: Ledger;
  /** Cells within the commute radius and the local-demand radius of each cell. */
  readonly commute: RadiusLists;
  readonly demand: RadiusLists;
  /** Cells within the local-search radius of each cell (movers look near home first). */
  readonly nearby: RadiusLists;
  /** Distance-decay weights along those lists, computed once (exp is costly in a hot loop). */
  readonly commuteWeight: Float32Array;
  /** Running sums of commuteWeight within each cell's list, for sampling a contact by distance. */
  readonly commuteCum: Float64Array;
  readonly demandWeight: Float32Array;
  /** Households a subsystem wants housed this tick (newly formed, arrived, demolished out). */
  readonly seekers: Seekers;
  /** Firms by cell (compressed lists), rebuilt when firms enter, exit or move. */
  readonly firmIndex: { start: Int32Array; list: Int32Array };
  /** A household-sized index buffer a subsystem may use within its own step. */
  readonly scratch: Int32Array;
  /** Set when schools or clinics open or close: catchments are recomputed. */
  resourcesDirty: boolean;
}

export function allocHouseholds(capacity: number): Households {
  return {
    capacity,
    count: 0,
    alive: new Uint8Array(capacity),
    id: new Int32Array(capacity),
    cell: new Int32Array(capacity).fill(-1),
    income: new Float32Array(capacity),
    allowance: new Float32Array(capacity),
    employer: new Int32Array(capacity).fill(-1),
    skill: new Float32Array(capacity),
    hours: new Float32Array(capacity).fill(1),
    health: new Float32Array(capacity),
    age: new Float32Array(capacity),
    kids: new Uint8Array(capacity),
    kidAge: new Uint8Array(capacity),
    attainment: new Float32Array(capacity),
    tenure: new Uint8Array(capacity),
    movedTick: new Int16Array(capacity),
    ties: new Float32Array(capacity),
    poor: new Uint8Array(capacity),
    unempQuarters: new Uint16Array(capacity),
    sick: new Uint8Array(capacity),
    burdenQuarters: new Uint8Array(capacity),
    lifeEvent: new Uint8Array(capacity),
    startCell: new Int32Array(capacity).fill(-1),
    startPoor: new Uint8Array(capacity),
    exitedPoverty: new Uint8Array(capacity),
    startRing: new Uint8Array(capacity),
    transfer: new Float32Array(capacity),
    training: new Float32Array(capacity),
    support: new Float32Array(capacity),
    areaBenefit: new Float32Array(capacity),
    graduate: new Uint8Array(capacity),
    free: new Int32Array(capacity),
    freeCount: 0,
    nextId: 0,
  };
}

/** A preallocated store with a free list of recycled slots. */
interface SlotStore {
  capacity: number;
  count: number;
  free: Int32Array;
  freeCount: number;
}

/** A recycled slot, else a fresh one; -1 when the store is full. */
function takeSlot(st: SlotStore): number {
  if (st.freeCount > 0) return st.free[--st.freeCount]!;
  if (st.count < st.capacity) return st.count++;
  return -1;
}

/** Takes a household slot (recycled or fresh) and gives it a new stable id; -1 when full. */
export function addHousehold(h: Households): number {
  const s = takeSlot(h);
  if (s < 0) return -1;
  h.alive[s] = 1;
  h.id[s] = h.nextId++;
  h.cell[s] = -1;
  h.employer[s] = -1;
  h.income[s] = 0;
  h.allowance[s] = 0;
  h.hours[s] = 1;
  h.kids[s] = 0;
  h.kidAge[s] = 0;
  h.attainment[s] = 0;
  h.tenure[s] = PRIVATE;
  h.ties[s] = 0;
  h.poor[s] = 0;
  h.unempQuarters[s] = 0;
  h.sick[s] = 0;
  h.burdenQuarters[s] = 0;
  h.lifeEvent[s] = 0;
  h.startCell[s] = -1;
  h.startPoor[s] = 0;
  h.exitedPoverty[s] = 0;
  h.startRing[s] = 0;
  h.transfer[s] = 0;
  h.training[s] = 0;
  h.support[s] = 0;
  h.areaBenefit[s] = 0;
  h.graduate[s] = 0;
  return s;
}

/** The `startCell` of a household set up by a grown child of the original resident of cell `k`. */
export function grownChildMark(k: number): number {
  return -2 - k;
}

/**
 * A grown child's new household `s`, of a child born before the programme started to an original
 * resident: original residents are the people who lived in the target then, children included,
 * followed wherever they move — so the gains a programme gave them as children (attainment, and
 * the skill that follows it) can still be seen when they set up home (MODEL.md §7, fact 6). The
 * household is marked (`grownChildMark`, the poverty it started in its parents') but not counted
 * among `originalResidents`, which are the households of the start (INTERFACE.md): it has a view
 * of its own, `grownChildren`. The same for each tracker's marks.
 */
export function inheritOrigins(w: World, parent: number, s: number, bornTick: number): void {
  const h = w.households;
  if (h.startCell[parent]! >= 0 && bornTick < w.region.startTick) {
    h.startCell[s] = grownChildMark(h.startCell[parent]!);
    h.startPoor[s] = h.startPoor[parent]!;
  }
  for (let i = 0; i < w.trackers.length; i++) {
    const t = w.trackers[i]!;
    if (t.startCell[parent]! < 0 || bornTick >= t.region.startTick) continue;
    t.startCell[s] = grownChildMark(t.startCell[parent]!);
    t.startPoor[s] = t.startPoor[parent]!;
  }
}

/**
 * Removes a household from the city: frees its job and its home. The caller logs the move.
 */
export function removeHousehold(w: World, s: number): void {
  const h = w.households;
  const f = h.employer[s]!;
  if (f >= 0) {
    w.firms.filled[f]!--;
    w.firms.skillSum[f]! -= h.skill[s]!;
  }
  // Original residents who leave the city are out of sight from now on: count them.
  if (h.startCell[s]! >= 0) {
    w.region.originalsGone++;
    if (h.exitedPoverty[s]) w.region.originalsGoneExited++;
  }
  // The same for each tracker; its marks are cleared here, since `addHousehold` (which clears the
  // run's own) sees only the household store. A slot is reused only after this.
  for (let i = 0; i < w.trackers.length; i++) {
    const t = w.trackers[i]!;
    t.startRing[s] = 0;
    if (t.startCell[s]! === -1) continue;
    if (t.startCell[s]! >= 0) {
      t.region.originalsGone++;
      if (t.exitedPoverty[s]) t.region.originalsGoneExited++;
    }
    t.startCell[s] = -1;
    t.startPoor[s] = 0;
    t.exitedPoverty[s] = 0;
  }
  vacate(w, s);
  h.alive[s] = 0;
  h.employer[s] = -1;
  h.free[h.freeCount++] = s;
}

/** Frees the unit a household occupies (it keeps its tenure code). */
export function vacate(w: World, s: number): void {
  const h = w.households;
  const c = h.cell[s]!;
  if (c < 0) return;
  if (h.tenure[s] === SOCIAL) w.cells.occSocial[c]!--;
  else w.cells.occMarket[c]!--;
  h.cell[s] = -1;
}

/** Puts a household in a unit of cell c with the given tenure. */
export function occupy(w: World, s: number, c: number, tenure: number): void {
  const h = w.households;
  h.cell[s] = c;
  h.tenure[s] = tenure;
  if (tenure === SOCIAL) w.cells.occSocial[c]!++;
  else w.cells.occMarket[c]!++;
  h.movedTick[s] = w.city.tick;
  h.ties[s] = 0.05;
  h.burdenQuarters[s] = 0;
}

/** Queues a household to be housed by the mobility step this tick. */
export function addSeeker(w: World, s: number, reason: number, from: number): void {
  const q = w.seekers;
  if (q.count === q.list.length) {
    const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    q.list = grow(q.list, new Int32Array(q.list.length * 2));
    q.reason = grow(q.reason, new Uint8Array(q.list.length));
    q.from = grow(q.from, new Int32Array(q.list.length));
  }
  q.list[q.count] = s;
  q.reason[q.count] = reason;
  q.from[q.count] = from;
  q.count++;
}

export function logMove(w: World, s: number, from: number, to: number, reason: number): void {
  const m = w.moves;
  if (m.length === m.hid.length) growMoveLog(m);
  const k = m.length++;
  m.hid[k] = w.households.id[s]!;
  m.tick[k] = w.city.tick;
  m.from[k] = from;
  m.to[k] = to;
  m.reason[k] = reason;
  m.poor[k] = w.households.poor[s]!;
  if (from >= 0) w.cells.movesOut[from]! += 1;
  if (to >= 0) w.cells.movesIn[to]! += 1;
  if (from >= 0 && (reason === RENT || reason === DEMOLITION)) w.cells.forcedOut[from]! += 1;
}

function growMoveLog(m: MoveLog): void {
  const cap = Math.max(1024, m.hid.length * 2);
  const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const b = make(cap);
    b.set(a);
    return b;
  };
  m.hid = grow(m.hid, (n) => new Int32Array(n));
  m.tick = grow(m.tick, (n) => new Int32Array(n));
  m.from = grow(m.from, (n) => new Int32Array(n));
  m.to = grow(m.to, (n) => new Int32Array(n));
  m.reason = grow(m.reason, (n) => new Uint8Array(n));
  m.poor = grow(m.poor, (n) => new Uint8Array(n));
}

export function allocFirms(capacity: number): Firms {
  return {
    capacity,
    count: 0,
    alive: new Uint8Array(capacity),
    cell: new Int32Array(capacity).fill(-1),
    sector: new Uint8Array(capacity),
    jobs: new Int32Array(capacity),
    filled: new Int32Array(capacity),
    skillReq: new Float32Array(capacity),
    wage: new Float32Array(capacity),
    floorspace: new Float32Array(capacity),
    margin: new Float32Array(capacity),
    lossQuarters: new Uint8Array(capacity),
    bornTick: new Int32Array(capacity),
    movedTick: new Int32Array(capacity).fill(-1),
    movedFrom: new Int32Array(capacity).fill(-1),
    skillSum: new Float64Array(capacity),
    partner: new Uint8Array(capacity),
    free: new Int32Array(capacity),
    freeCount: 0,
    pending: new Int32Array(capacity),
    pendingCount: 0,
  };
}

/** Takes a firm slot; -1 when the store is full (entry is then skipped). */
export function addFirm(f: Firms): number {
  const s = takeSlot(f);
  if (s < 0) return -1;
  f.alive[s] = 1;
  f.jobs[s] = 0;
  f.filled[s] = 0;
  f.margin[s] = 0;
  f.lossQuarters[s] = 0;
  f.movedTick[s] = -1;
  f.movedFrom[s] = -1;
  f.skillSum[s] = 0;
  f.partner[s] = 0;
  return s;
}

export function allocCells(n: number): Cells {
  const f32 = () => new Float32Array(n);
  const f64 = () => new Float64Array(n);
  const i32 = () => new Int32Array(n);
  return {
    n,
    units: i32(), social: i32(), occMarket: i32(), occSocial: i32(),
    quality: f32(), environment: f32(), rent: f32(), floorspace: f32(), floorUsed: f32(),
    brownfield: f32(), crime: f32(), cohesion: f32(), subsidy: f32(), community: f32(), tenureSecurity: f32(),
    demolish: i32(), rebuildUnits: i32(), rebuildQuality: f32(), rebuildSocial: i32(),
    building: i32(), buildingSocial: i32(), buildingQuality: f32(), buildingDone: i32(),
    school: i32(), schoolDist: f32(), clinic: i32(), clinicDist: f32(),
    households: i32(), poor: i32(), unemployed: i32(), labourForce: i32(), sick: i32(),
    incomeSum: f64(), logIncomeSum: f64(), residenceSum: f64(), tiesSum: f64(),
    jobAccess: f32(), demandAccess: f32(), localJobs: f32(), schoolQuality: f32(), clinicAccess: f32(),
    movesIn: f64(), movesOut: f64(), forcedOut: f64(), jobsCreated: f64(), jobsRelocatedIn: f64(),
    jobsRelocatedOut: f64(), homesBuilt: f64(), environmentBase: f32(), turnover: f32(), lastMoves: f64(),
    outOfWorkQuarters: new Int32Array(4 * n), workingAgeQuarters: new Int32Array(4 * n),
  };
}

export function allocResources(count: number): Resources {
  return {
    count,
    kind: new Uint8Array(count),
    cell: new Int32Array(count),
    capacity: new Float32Array(count),
    quality: new Float32Array(count),
    baseQuality: new Float32Array(count),
    open: new Uint8Array(count).fill(1),
    users: new Float32Array(count),
    poorUsers: new Float32Array(count),
    investment: new Float32Array(count),
  };
}

export function allocMoveLog(): MoveLog {
  const cap = 1024;
  return {
    length: 0,
    hid: new Int32Array(cap),
    tick: new Int32Array(cap),
    from: new Int32Array(cap),
    to: new Int32Array(cap),
    reason: new Uint8Array(cap),
    poor: new Uint8Array(cap),
  };
}

/**
 * The tick at which year 0 begins: the spin-up years (run with no programme, not reported) come
 * first, so the engine's tick counter runs from 0 through the spin-up and the reported years.
 */
export function originTickOf(config: ScenarioConfig): number {
  return config.run.spinUpYears * 4;
}

/** The reported year of an engine tick (negative during the spin-up). */
export function yearOfTick(config: ScenarioConfig, tick: number): number {
  return Math.floor((tick - originTickOf(config)) / 4);
}

/**
 * An exact, independent copy of a world, optionally under another configuration that differs
 * only in its policy (the copy's future then follows that policy). Every store that changes is
 * copied, and each random stream resumes where the original's stands, so stepping the copy gives
 * exactly what stepping the original would. Hosts use it to reuse one spin-up for the several
 * runs (policies and their counterfactual) that share a seed.
 *
 * The geography and the radius lists with their weights never change once the world is made, so
 * the copy shares them: less to copy, and the caches keyed on them (labour's contact guide,
 * mobility's local-search distances) serve every copy. The other stores are copied record by
 * record (`copyRecord`: a copy keeps the original's hidden class), which costs a fraction of a
 * structured clone (~10 against ~35 ms of CPU for the default city).
 */
export function cloneWorld(w: World, config: ScenarioConfig = w.config): World {
  const region = copyRecord(w.region);
  const households = copyRecord(w.households);
  const ledger = copyRecord(w.ledger);
  ledger.targets = Object.assign({}, w.ledger.targets);
  // slice, not map: the copy keeps the array's elements kind, and so its hidden class.
  const trackers = w.trackers.slice();
  for (let i = 0; i < trackers.length; i++) trackers[i] = Object.assign(copyRecord(trackers[i]!), { region: copyRecord(trackers[i]!.region) });
  const parts: Omit<World, 'config' | 'rng'> = {
    geo: w.geo,
    households,
    firms: copyRecord(w.firms),
    resources: copyRecord(w.resources),
    cells: copyRecord(w.cells),
    city: copyRecord(w.city),
    moves: copyRecord(w.moves),
    region,
    trackers,
    ledger,
    commute: w.commute,
    demand: w.demand,
    nearby: w.nearby,
    commuteWeight: w.commuteWeight,
    commuteCum: w.commuteCum,
    demandWeight: w.demandWeight,
    seekers: copyRecord(w.seekers),
    firmIndex: copyRecord(w.firmIndex),
    scratch: w.scratch.slice(),
    resourcesDirty: w.resourcesDirty,
  };
  return assembleWorld(config, createRng(w.rng.seed, w.rng.state()), parts, region, households);
}

/**
 * A record's numbers and flags, with a copy of each of its typed arrays. `Object.assign` onto an
 * empty object gives the copy the original's hidden class when the original was made by a
 * structured clone (createWorld's last step), so every copy of a store has the same one.
 */
function copyRecord<T extends object>(o: T): T {
  const c = Object.assign({}, o) as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    const v = c[k];
    if (ArrayBuffer.isView(v)) c[k] = (v as Uint8Array).slice();
  }
  return c as unknown as T;
}

/**
 * The world with every store rebuilt by a structured clone, as createWorld hands it out: the
 * stores then have the hidden classes of plain objects built one field at a time, which
 * `cloneWorld`'s copies keep, rather than those of the object literals that made them.
 */
export function restructured(w: World): World {
  const { rng, config, ...stores } = w;
  const copy = structuredClone(stores);
  return assembleWorld(config, createRng(rng.seed, rng.state()), copy, copy.region, copy.households);
}

/**
 * A world of the given parts, always built by this one object literal, in the order createWorld
 * writes them: every world (a clone, a tracker's view) then has one hidden class. A spread with
 * added fields (`{ ...stores, config, rng }`, as clones were made before) got a new hidden class
 * at nearly every call once V8 had feedback for it (Node 20), so from the third or fourth run of a
 * process each run's world was of a shape of its own, and the subsystems' optimised code, compiled
 * for the first, was thrown away ("wrong map") and compiled again in every run.
 */
export function assembleWorld(
  config: ScenarioConfig,
  rng: Rng,
  s: Omit<World, 'config' | 'rng'>,
  region: Region,
  households: Households,
): World {
  return {
    config,
    geo: s.geo,
    rng,
    households,
    firms: s.firms,
    resources: s.resources,
    cells: s.cells,
    city: s.city,
    moves: s.moves,
    region,
    trackers: s.trackers,
    ledger: s.ledger,
    commute: s.commute,
    demand: s.demand,
    nearby: s.nearby,
    commuteWeight: s.commuteWeight,
    commuteCum: s.commuteCum,
    demandWeight: s.demandWeight,
    seekers: s.seekers,
    firmIndex: s.firmIndex,
    scratch: s.scratch,
    resourcesDirty: s.resourcesDirty,
  };
}
