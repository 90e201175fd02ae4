/**
 * Shared fixtures of the engine's behaviour tests: a small generated city (12 × 12 cells, 4,000
 * households: about a third of a second to create) and a few readers of the live stores.
 */
import { scenarioSchema } from '../../sim/config/schema.ts';
import type { ScenarioConfig, ScenarioInput } from '../../sim/config/schema.ts';
import { createWorld } from '../../sim/create.ts';
import type { World } from '../../sim/world.ts';

export const SMALL_WIDTH = 12;
export const SMALL_HEIGHT = 12;
export const SMALL_HOUSEHOLDS = 4000;

type Plain = Record<string, unknown>;
const isPlain = (x: unknown): x is Plain => typeof x === 'object' && x !== null && !Array.isArray(x);

function merge(a: Plain, b: Plain): Plain {
  const out: Plain = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Plain, v) : v;
  return out;
}

/**
 * The small city's scenario with `overrides` merged in (nested groups merge field by field).
 * No spin-up unless asked: the mechanism tests step the city from its generated state, tick by
 * tick, and a settled city is what the calibration and the stylized facts need, not them.
 */
export function smallConfig(overrides: ScenarioInput = {}): ScenarioConfig {
  const base: ScenarioInput = {
    city: { width: SMALL_WIDTH, height: SMALL_HEIGHT },
    households: { count: SMALL_HOUSEHOLDS },
    run: { spinUpYears: 0 },
  };
  return scenarioSchema.parse(merge(base as Plain, overrides as Plain));
}

export function smallWorld(seed: number, overrides: ScenarioInput = {}): World {
  return createWorld(smallConfig(overrides), seed);
}

/** Slots of the alive households that have a home. */
export function housedSlots(w: World): number[] {
  const h = w.households;
  const out: number[] = [];
  for (let s = 0; s < h.count; s++) if (h.alive[s] && h.cell[s]! >= 0) out.push(s);
  return out;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length > 0 ? s / xs.length : NaN;
}

/** Euclidean distance between the centres of two cells. */
export function cellDistance(w: World, a: number, b: number): number {
  return Math.hypot(w.geo.x[a]! - w.geo.x[b]!, w.geo.y[a]! - w.geo.y[b]!);
}

/** Move-log entries written at `tick`, as plain objects. */
export function movesAt(w: World, tick: number, from = 0): { hid: number; from: number; to: number; reason: number; poor: number }[] {
  const m = w.moves;
  const out = [];
  for (let i = from; i < m.length; i++) {
    if (m.tick[i] !== tick) continue;
    out.push({ hid: m.hid[i]!, from: m.from[i]!, to: m.to[i]!, reason: m.reason[i]!, poor: m.poor[i]! });
  }
  return out;
}
