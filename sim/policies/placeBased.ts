/**
 * Place-based area initiative (the Single Regeneration Budget / New Deal for Communities model):
 * a rigid boundary drawn by a deprivation index with a population quota; spending split between
 * physical works (public realm, refurbishment, gap-funded floorspace and homes, brownfield), firm
 * incentives inside the boundary and area programmes for current residents (lost on moving out);
 * output targets in the Sunniside proportions.
 *
 * `policy.tenureSecurity` protects the target's sitting tenants from rent-forced moves while the
 * programme runs (none by default): the lever MODEL.md §7 pairs with people-heavy spending when
 * it asks whether displacement depends on the mix (fact 11).
 *
 * Performance pressure p ∈ [0, 1] shifts money toward cheap, visible outputs: the physical share
 * grows (programmes and incentives shrink) and, within physical works, gap-funded floorspace —
 * which counts square metres and leverages private investment — displaces homes, refurbishment
 * and public realm.
 */
import type { ScenarioConfig } from '../config/schema.ts';
import { defaultIndexRule } from './defaults.ts';
import type { Policy } from './index.ts';
import { areaProgrammes, buildFloorspace, buildHomes, improveEnvironment, incentiveBill, refurbish, setFirmIncentive, setTenureSecurity } from './levers.ts';

/** Sunniside's targets per £1m of public money (£20m public: £100m private, 500 jobs, 7 acres, 900 homes, 5,000 m²). */
const TARGETS_PER_MILLION = { privateInvestment: 5_000_000, publicInvestment: 1_000_000, jobsCreated: 25, brownfield: 0.35, homesBuilt: 45, floorspace: 250 };

/** The spending shares after performance pressure. */
export function placeShares(config: ScenarioConfig): { physical: number; incentives: number; programmes: number; floorspace: number; homes: number; refurbish: number; environment: number } {
  const { mix, performancePressure: p } = config.policy;
  const sum = mix.physical + mix.incentives + mix.programmes || 1;
  const physical0 = mix.physical / sum;
  const physical = physical0 + p * 0.8 * (1 - physical0);
  const rest = 1 - physical;
  const other = mix.incentives + mix.programmes || 1;
  // Within physical works: visible floorspace grows with pressure; homes, refurbishment and public realm shrink.
  const floorspace = 0.25 + 0.6 * p;
  const remaining = 1 - floorspace;
  return {
    physical,
    incentives: (rest * mix.incentives) / other,
    programmes: (rest * mix.programmes) / other,
    floorspace,
    homes: remaining * 0.35,
    refurbish: remaining * 0.3,
    environment: remaining * 0.35,
  };
}

export const placeBased: Policy = {
  kind: 'place-based',
  defaultBoundary: defaultIndexRule,
  start(w) {
    const total = w.config.policy.budgetPerYear * w.config.policy.durationYears;
    const millions = total / 1_000_000;
    for (const [name, per] of Object.entries(TARGETS_PER_MILLION)) w.ledger.targets[name] = per * millions;
  },
  step(w, b, budget) {
    if (!b) return 0;
    const s = placeShares(w.config);
    const target = b.target;
    setTenureSecurity(w, target, w.config.policy.tenureSecurity);
    let spent = 0;
    const physical = budget * s.physical;
    spent += buildFloorspace(w, target, physical * s.floorspace, w.config.policy.performancePressure);
    spent += buildHomes(w, target, physical * s.homes);
    spent += refurbish(w, target, physical * s.refurbish);
    spent += improveEnvironment(w, target, physical * s.environment);
    // Full rent relief for incoming firms while the money covers it (enterprise zones gave 100%
    // business-rates relief); before any firm has come, the offer stands at full relief.
    const bill = incentiveBill(w, target);
    const share = bill > 0 ? Math.min(1, (budget * s.incentives) / bill) : 1;
    spent += setFirmIncentive(w, target, share);
    spent += areaProgrammes(w, target, budget * s.programmes);
    return spent;
  },
};
