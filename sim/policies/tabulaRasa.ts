/**
 * Tabula rasa: the British clearance and redevelopment of the late 1960s to the 1980s (STUDY.md,
 * first stage; MODEL.md §4). Central grants subsidised developers to redevelop inner-city land:
 * low-quality housing in a rigid, index-drawn target is demolished and rebuilt as higher-quality
 * market housing with a token social share, commercial space is gap-funded on the cleared land,
 * and social tenants are decanted wherever in the city a social home is free. The poor are
 * expected to gain by trickle-down from the new jobs and investment; the programme sets those
 * expectations as output targets, which the metrics set against what the subsystems produce.
 *
 * Nothing here moves a household or sets a rent: the housing step clears the demolished units'
 * residents and completes the rebuild after `housing.constructionQuarters`; who leaves, who
 * arrives and what rents do follow from the market (MODEL.md §7 fact 10 is an outcome).
 *
 * Each quarter clearance has first call on the money, in the lowest-quality cells of the target
 * first, while there is housing worse than the rebuild that is not already being redeveloped; a
 * fifth goes to gap-funded floorspace on the sites being redeveloped and a tenth to the public
 * realm, and whatever clearance cannot use (whole homes only, or nothing left to clear) goes to
 * floorspace too, so that the quarter's budget is spent.
 */
import type { ScenarioConfig } from '../config/schema.ts';
import type { World } from '../world.ts';
import { defaultIndexRule } from './defaults.ts';
import type { Policy } from './index.ts';
import { COSTS, buildFloorspace, clearAndRebuild, clearanceCostPerUnit, improveEnvironment } from './levers.ts';

/**
 * Spending shares. Clearance and rebuild dominate, as in the slum-clearance and Urban Development
 * Corporation programmes; the commercial share stands for the gap funding of offices and business
 * parks on cleared land (Urban Development Grant from 1982, City Grant from 1988); a little goes
 * to landscaping the new estate.
 */
export const TABULA_RASA_SHARES = { clearance: 0.7, floorspace: 0.2, publicRealm: 0.1 } as const;

/** New-build market housing: near the top of the quality scale (new homes meet current standards). */
export const REBUILD_QUALITY = 0.9;

/**
 * Social share of the rebuild: a token tenth, as redevelopment replaced council estates with
 * mostly market housing (the decanted social tenants are rehoused elsewhere in the city).
 */
export const REBUILD_SOCIAL_SHARE = 0.1;

/**
 * Commercial floorspace per job the trickle-down expectation assumes: 20 m² across offices,
 * business parks and shops (Homes and Communities Agency, Employment Density Guide, 3rd ed. 2015:
 * about 12 m² per office worker, several times that in light industry and warehousing).
 */
export const M2_PER_EXPECTED_JOB = 20;

/** The outputs the programme expects from its whole budget, spent in its shares. */
export function tabulaRasaTargets(config: ScenarioConfig): Record<string, number> {
  const total = config.policy.budgetPerYear * config.policy.durationYears;
  const homes = (total * TABULA_RASA_SHARES.clearance) / clearanceCostPerUnit();
  const floorspace = (total * TABULA_RASA_SHARES.floorspace) / (COSTS.floorspacePerM2 * COSTS.gapShare);
  return {
    homesBuilt: homes,
    floorspace,
    jobsCreated: floorspace / M2_PER_EXPECTED_JOB,
    privateInvestment: homes * COSTS.homeCost * (1 - COSTS.homeSubsidy) + floorspace * COSTS.floorspacePerM2 * (1 - COSTS.gapShare),
    publicInvestment: total,
  };
}

/** Cells of the target being redeveloped (an order pending or a rebuild under way); null if none. */
function redevelopmentSites(w: World, target: Uint8Array): Uint8Array | null {
  const c = w.cells;
  const sites = new Uint8Array(c.n);
  let any = false;
  for (let k = 0; k < c.n; k++) {
    if (target[k] && (c.demolish[k]! > 0 || c.building[k]! > 0)) {
      sites[k] = 1;
      any = true;
    }
  }
  return any ? sites : null;
}

export const tabulaRasa: Policy = {
  kind: 'tabula-rasa',
  defaultBoundary: defaultIndexRule,
  start(w) {
    Object.assign(w.ledger.targets, tabulaRasaTargets(w.config));
  },
  step(w, b, budget) {
    if (!b) return 0;
    const target = b.target;
    let spent = clearAndRebuild(w, target, budget * TABULA_RASA_SHARES.clearance, {
      quality: REBUILD_QUALITY,
      socialShare: REBUILD_SOCIAL_SHARE,
    });
    const publicRealm = Math.min(budget - spent, budget * TABULA_RASA_SHARES.publicRealm);
    const floorspace = budget - spent - publicRealm;
    const sites = redevelopmentSites(w, target);
    let built = sites ? buildFloorspace(w, sites, floorspace) : 0;
    if (built < floorspace) built += buildFloorspace(w, target, floorspace - built);
    spent += built;
    spent += improveEnvironment(w, target, budget - spent);
    return spent;
  },
};
