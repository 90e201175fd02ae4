/**
 * The step pipeline: one tick is one quarter, in the fixed order of MODEL.md §3. Adding a
 * subsystem changes one line here.
 */
import { policyStep } from './policies/index.ts';
import { demography } from './subsystems/demography.ts';
import { firms } from './subsystems/firms.ts';
import { housing } from './subsystems/housing.ts';
import { humanCapital } from './subsystems/humanCapital.ts';
import { labour } from './subsystems/labour.ts';
import { mobility } from './subsystems/mobility.ts';
import { neighbourhood, updatePovertyLine } from './subsystems/neighbourhood.ts';
import type { World } from './world.ts';

export interface Subsystem {
  readonly name: string;
  step(w: World): void;
}

const policyStage: Subsystem = { name: 'policy', step: policyStep };

export const PIPELINE: readonly Subsystem[] = [
  policyStage,
  firms,
  labour,
  humanCapital,
  demography,
  housing,
  mobility,
  neighbourhood,
];

/** Advances the world by one quarter. */
export function step(w: World): void {
  // The relative poverty line is recomputed once a year, from the incomes at the year's start.
  if (w.city.tick % 4 === 0) updatePovertyLine(w);
  for (const s of PIPELINE) s.step(w);
  w.city.tick++;
}
