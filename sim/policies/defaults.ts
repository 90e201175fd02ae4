/** Default boundary rules shared by several policy kinds. */
import type { BoundaryRule } from '../boundaries.ts';
import type { ScenarioConfig } from '../config/schema.ts';

/**
 * Area-based initiatives: one area of the most deprived statistical units holding 8% of the
 * city's households — 4,000 in the default city, the size of a New Deal for Communities area.
 */
export function defaultIndexRule(config: ScenarioConfig): BoundaryRule {
  return { type: 'index', weights: 'imd2019', quotaHouseholds: Math.max(1, Math.round(0.08 * config.households.count)), areas: 1, alignToStatUnits: true };
}

/** Hubs: the soft catchment of the school serving the most deprived area. */
export const DEFAULT_HUB_RULE: BoundaryRule = { type: 'hub', resource: 'auto', catchmentRadius: 3 };
