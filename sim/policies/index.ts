/**
 * The policy registry and the policy stage of the pipeline.
 *
 * Policies are data (a scenario's `policy` object) because functions cannot cross a worker
 * boundary; the registry gives each `kind` its behaviour. A policy acts only through the levers of
 * `levers.ts` (and the world's lever arrays), never by writing a metric.
 *
 * The stage: at the start year the target is drawn (the scenario's `policy.boundary`, else the
 * kind's default rule) and the original residents recorded — for `none` too, so that a
 * counterfactual run reports the same regions as its policy run; while the programme runs, the
 * policy spends a quarter of its yearly budget each tick; when it ends, place-tied levers stop.
 */
import type { ScenarioConfig } from '../config/schema.ts';
import type { Boundary, BoundaryRule } from '../boundaries.ts';
import { applyBoundary, drawBoundary } from '../boundaries.ts';
import { originTickOf, type World } from '../world.ts';
import { clearPlaceLevers } from './levers.ts';
import { hubBased } from './hubBased.ts';
import { integrated } from './integrated.ts';
import { none } from './none.ts';
import { peopleBased } from './peopleBased.ts';
import { placeBased } from './placeBased.ts';
import { microRegeneration } from './microRegeneration.ts';
import { tabulaRasa } from './tabulaRasa.ts';

export interface Policy {
  readonly kind: string;
  /** The boundary the kind draws when the scenario gives none (null: no target). */
  defaultBoundary(config: ScenarioConfig): BoundaryRule | null;
  /** Called once, at the start tick, after the boundary is drawn. */
  start?(w: World, b: Boundary | null): void;
  /** Called every tick the programme runs, with this quarter's budget; returns what it spent. */
  step(w: World, b: Boundary | null, budget: number): number;
  /** Called once when the programme ends (place-tied levers are cleared by the stage). */
  stop?(w: World): void;
}

export const POLICIES: Readonly<Record<string, Policy>> = {
  none,
  'place-based': placeBased,
  'people-based': peopleBased,
  'hub-based': hubBased,
  integrated,
  'tabula-rasa': tabulaRasa,
  'micro-regeneration': microRegeneration,
};

export function policyFor(kind: string): Policy {
  const p = POLICIES[kind];
  if (!p) throw new RangeError(`policy.kind: '${kind}' is not a policy kind of this version; available: ${Object.keys(POLICIES).join(', ')}`);
  return p;
}

/** The boundary rule a scenario's policy uses. */
export function boundaryRuleOf(config: ScenarioConfig): BoundaryRule | null {
  return (config.policy.boundary as BoundaryRule | undefined) ?? policyFor(config.policy.kind).defaultBoundary(config);
}

const boundaries = new WeakMap<World, Boundary | null>();

/** The boundary drawn for this world's programme (null before the start or without a target). */
export function boundaryOf(w: World): Boundary | null {
  return boundaries.get(w) ?? null;
}

/** The tick the programme starts. */
export function startTickOf(config: ScenarioConfig): number {
  return originTickOf(config) + config.policy.startYear * 4;
}

/**
 * Draws the target and records the original residents; the policy stage calls it at the start
 * tick, and a host may call it just before that tick to take a baseline of the regions.
 */
export function startProgramme(w: World): Boundary | null {
  if (boundaries.has(w)) return boundaries.get(w)!;
  const p = w.config.policy;
  const rule = boundaryRuleOf(w.config);
  const b = rule ? drawBoundary(w, rule, p.ringDistance) : null;
  if (b) applyBoundary(w, b);
  boundaries.set(w, b);
  policyFor(p.kind).start?.(w, b);
  return b;
}

/** The policy stage: first in every tick. */
export function policyStep(w: World): void {
  const p = w.config.policy;
  const policy = policyFor(p.kind);
  const startTick = startTickOf(w.config);
  const endTick = startTick + p.durationYears * 4;
  const tick = w.city.tick;
  if (tick === startTick) startProgramme(w);
  if (tick >= startTick && tick < endTick) {
    const spent = policy.step(w, boundaryOf(w), p.budgetPerYear / 4);
    w.ledger.total += spent;
  }
  if (tick === endTick) {
    policy.stop?.(w);
    clearPlaceLevers(w);
  }
}
