/**
 * The policy registry: `kind` → implementation. Policies are data (a scenario's `policy` object)
 * because functions cannot cross a worker boundary; the registry gives them behaviour inside the
 * engine. A policy acts only through the model's levers (budgets, rents, programmes, boundaries,
 * demolition orders), never by writing a metric.
 */
import type { World } from '../world.ts';
import { none } from './none.ts';

export interface Policy {
  readonly kind: string;
  /** Called once per tick, first in the pipeline. */
  step(w: World): void;
}

export const POLICIES: Readonly<Record<string, Policy>> = { none };

export function policyFor(kind: string): Policy {
  const p = POLICIES[kind];
  if (!p) throw new RangeError(`policy.kind: '${kind}' is not implemented; available: ${Object.keys(POLICIES).join(', ')}`);
  return p;
}
