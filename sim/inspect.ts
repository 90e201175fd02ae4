/**
 * Read-only views of a world for hosts that show people as well as places (the browser lab):
 * who lives in a neighbourhood, one household's history from the move log, and where the
 * households that left the programme's target went.
 *
 * Everything returned is plain data copied out of the stores, so it can cross a worker boundary.
 * These functions never write to the world: reading them between ticks cannot change a run.
 */
import { MOVE_REASONS, OUTSIDE, REGION_CODES, originTickOf, yearOfTick, type World } from './world.ts';

export type MoveReason = (typeof MOVE_REASONS)[number];
export const TENURES = ['owner', 'private renter', 'social renter'] as const;
/** What the head does: the census's categories (sim/census.ts). */
export const WORK_STATUSES = ['in work', 'unemployed', 'out of work through ill health', 'retired'] as const;

/** A household as the lab lists it: what a student can compare at a glance. */
export interface HouseholdSummary {
  /** Stable id (never reused), the key of its history. */
  id: number;
  cell: number;
  income: number;
  poor: boolean;
  employed: boolean;
  /** In work, unemployed (searching), out of work through ill health (not searching) or retired. */
  work: (typeof WORK_STATUSES)[number];
  /** Health of the household, 0..1 (below labour.sickThreshold a head out of work falls sick). */
  health: number;
  tenure: (typeof TENURES)[number];
  age: number;
  children: number;
  skill: number;
  /** Year (of the run) the household moved into its current home; negative: during the spin-up before year 0. */
  movedInYear: number;
  /** Lived in the target when the programme started. */
  originalResident: boolean;
  /** Set up since the programme started by a child of an original resident (the `grownChildren` view). */
  grownChild: boolean;
}

/** One entry of the move log. `from`/`to` are cells, or -1 for outside the city. */
export interface MoveRecord {
  /** Quarter of the run (0 = the start of year 0; negative during the spin-up). */
  tick: number;
  year: number;
  from: number;
  to: number;
  reason: MoveReason;
  /** Poor at the time of the move. */
  poor: boolean;
}

export interface HouseholdHistory {
  id: number;
  /** The household now, or null when it has left the city or dissolved. */
  now: HouseholdSummary | null;
  moves: MoveRecord[];
}

/** Where the households that moved out of the target since the programme started went. */
export interface Displacement {
  /** Moves out of the target since the start, by destination cell (count per cell). */
  allTo: Float32Array;
  /** Of those, moves forced by rent or demolition, by destination cell. */
  forcedTo: Float32Array;
  /** Counts by destination: ring, comparison areas, rest of the city, outside the city. */
  all: Record<'ring' | 'comparison' | 'rest' | 'outside', number>;
  forced: Record<'ring' | 'comparison' | 'rest' | 'outside', number>;
  /** Moves out of the target by reason. */
  byReason: Record<string, number>;
  /** Of the moves out, those made by households poor at the time. */
  poor: number;
  total: number;
  /** Ids of households forced out (rent or demolition), first moves first, at most 100: to follow. */
  forcedIds: number[];
}

function summary(w: World, s: number): HouseholdSummary {
  const h = w.households;
  return {
    id: h.id[s]!,
    cell: h.cell[s]!,
    income: h.income[s]!,
    poor: h.poor[s] === 1,
    employed: h.employer[s]! >= 0,
    work: workStatus(w, s),
    health: h.health[s]!,
    tenure: TENURES[h.tenure[s]!] ?? 'private renter',
    age: Math.floor(h.age[s]!),
    children: h.kids[s]!,
    skill: h.skill[s]!,
    movedInYear: yearOfTick(w.config, h.movedTick[s]!),
    originalResident: h.startCell[s]! >= 0,
    grownChild: h.startCell[s]! <= -2,
  };
}

function workStatus(w: World, s: number): (typeof WORK_STATUSES)[number] {
  const h = w.households;
  if (h.employer[s]! >= 0) return 'in work';
  if (h.age[s]! >= w.config.labour.retirementAge) return 'retired';
  return h.sick[s] ? 'out of work through ill health' : 'unemployed';
}

/** The households living in a cell now, in slot order (at most `limit`). */
export function householdsIn(w: World, cell: number, limit = 500): HouseholdSummary[] {
  if (!Number.isInteger(cell) || cell < 0 || cell >= w.geo.n) {
    throw new RangeError(`cell must be an integer from 0 to ${w.geo.n - 1}, got ${String(cell)}.`);
  }
  const h = w.households;
  const out: HouseholdSummary[] = [];
  for (let s = 0; s < h.count && out.length < limit; s++) {
    if (h.alive[s] && h.cell[s] === cell) out.push(summary(w, s));
  }
  return out;
}

/** A household's moves, oldest first, and its state now. */
export function householdHistory(w: World, id: number): HouseholdHistory {
  const h = w.households;
  let slot = -1;
  for (let s = 0; s < h.count; s++) {
    if (h.alive[s] && h.id[s] === id) {
      slot = s;
      break;
    }
  }
  const m = w.moves;
  const moves: MoveRecord[] = [];
  for (let i = 0; i < m.length; i++) {
    if (m.hid[i] !== id) continue;
    moves.push({
      tick: m.tick[i]! - originTickOf(w.config),
      year: yearOfTick(w.config, m.tick[i]!),
      from: m.from[i]!,
      to: m.to[i]!,
      reason: MOVE_REASONS[m.reason[i]!] ?? 'voluntary',
      poor: m.poor[i] === 1,
    });
  }
  if (slot < 0 && moves.length === 0 && (id < 0 || id >= h.nextId)) {
    throw new RangeError(`no household ${String(id)} in this run.`);
  }
  return { id, now: slot >= 0 ? summary(w, slot) : null, moves };
}

/** Moves out of the target since the programme started, by destination and reason. */
export function displacement(w: World): Displacement {
  const n = w.geo.n;
  const allTo = new Float32Array(n);
  const forcedTo = new Float32Array(n);
  const zero = () => ({ ring: 0, comparison: 0, rest: 0, outside: 0 });
  const all = zero();
  const forced = zero();
  const byReason: Record<string, number> = {};
  let poor = 0;
  let total = 0;
  const forcedIds: number[] = [];
  if (!w.region.hasTarget) return { allTo, forcedTo, all, forced, byReason, poor, total, forcedIds };
  const code = w.region.code;
  const m = w.moves;
  const where = (to: number): keyof typeof all =>
    to === OUTSIDE ? 'outside' : code[to] === REGION_CODES.ring ? 'ring' : code[to] === REGION_CODES.comparison ? 'comparison' : 'rest';
  for (let i = w.region.moveLogAt; i < m.length; i++) {
    const from = m.from[i]!;
    const to = m.to[i]!;
    if (from < 0 || code[from] !== REGION_CODES.target) continue;
    if (to >= 0 && code[to] === REGION_CODES.target) continue;
    const reason = MOVE_REASONS[m.reason[i]!] ?? 'voluntary';
    // A household that dissolved did not go anywhere.
    if (reason === 'dissolved') continue;
    const isForced = reason === 'rent' || reason === 'demolition';
    total++;
    poor += m.poor[i]!;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    all[where(to)]++;
    if (to >= 0) allTo[to]! += 1;
    if (isForced) {
      forced[where(to)]++;
      if (to >= 0) forcedTo[to]! += 1;
      if (forcedIds.length < 100 && !forcedIds.includes(m.hid[i]!)) forcedIds.push(m.hid[i]!);
    }
  }
  return { allTo, forcedTo, all, forced, byReason, poor, total, forcedIds };
}
