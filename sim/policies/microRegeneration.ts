/**
 * Micro-regeneration: the Chinese practice that followed wholesale demolition (Guangzhou's 2015
 * urban-regeneration measures; STUDY.md, context and recommendations): small public-realm
 * upgrades and the refurbishment of facades and old housing in a small old neighbourhood chosen
 * from above, with no people component — nothing for residents' education, health or jobs. The
 * study's criticism is that such schemes renovate places without improving the poor's access to
 * core resources; the model lets that emerge: nobody is moved by the programme, but a nicer
 * neighbourhood capitalises into rents (MODEL.md §4).
 */
import type { BoundaryRule } from '../boundaries.ts';
import type { ScenarioConfig } from '../config/schema.ts';
import type { Policy } from './index.ts';
import { improveEnvironment, refurbish } from './levers.ts';

/** Household quota of the target as a share of the city's households. */
export const MICRO_QUOTA_SHARE = 0.02;

/**
 * The small rigid area of a micro-regeneration scheme: the most deprived statistical units holding
 * 2% of the city's households (1,000 in the default city: an old residential compound or a few
 * streets, a quarter of a New Deal for Communities area), drawn by the same deprivation index as
 * the area-based initiatives.
 */
export function microIndexRule(config: ScenarioConfig): BoundaryRule {
  return {
    type: 'index',
    weights: 'imd2019',
    quotaHouseholds: Math.max(1, Math.round(MICRO_QUOTA_SHARE * config.households.count)),
    areas: 1,
    alignToStatUnits: true,
  };
}

/**
 * Spending shares: most of the money to streets, squares and greenery, the rest to facades and
 * the fabric of old buildings (Guangzhou's micro-regeneration projects were mostly such
 * public-space and old-housing renovation).
 */
export const MICRO_SHARES = { publicRealm: 0.7, refurbishment: 0.3 } as const;

export const microRegeneration: Policy = {
  kind: 'micro-regeneration',
  defaultBoundary: microIndexRule,
  step(w, b, budget) {
    if (!b) return 0;
    // Refurbishment buys whole homes; what it leaves goes to the public realm, so the quarter's
    // budget is spent.
    const spent = refurbish(w, b.target, budget * MICRO_SHARES.refurbishment);
    return spent + improveEnvironment(w, b.target, budget - spent);
  },
};
