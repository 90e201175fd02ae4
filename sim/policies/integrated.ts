/**
 * Integrated policy: the study's recommendation (STUDY.md, recommendations 1 and 2) — a hub run
 * by a multi-department partnership, so without institutional friction and with full
 * departmental coverage whatever the scenario's `policy.hub.friction` and `coverage` say; portable
 * support for the households of the catchment; modest physical works for what the community lacks
 * (parks, as in the Weston case); and security for sitting tenants.
 *
 * Budget: 60% hub programmes (in the scenario's hub shares), 25% portable people-based support
 * (the scenario's `policy.people` amounts) for eligible households that lived in the catchment at
 * the start, wherever they move; 15% public realm over the catchment, weighted by its soft
 * weights. Money a part cannot use passes to the next (people → hub → public realm). Tenure security in the catchment: 0.5, or the scenario's `policy.tenureSecurity` when
 * higher.
 */
import { DEFAULT_HUB_RULE } from './defaults.ts';
import type { Policy } from './index.ts';
import type { HubOptions } from './levers.ts';
import { endPipeline, endTransfers, hubProgrammes, improveEnvironment, portableSupport, resetProgrammes, setTenureSecurity } from './levers.ts';

/** Budget shares of the three parts. */
export const INTEGRATED_SHARES = { hub: 0.6, people: 0.25, physical: 0.15 } as const;
/** Protection of sitting tenants in the catchment (at least). */
export const INTEGRATED_TENURE_SECURITY = 0.5;

export const integrated: Policy = {
  kind: 'integrated',
  defaultBoundary: () => DEFAULT_HUB_RULE,
  step(w, b, budget) {
    if (!b) return 0;
    const p = w.config.policy;
    resetProgrammes(w);
    setTenureSecurity(w, b.target, Math.max(INTEGRATED_TENURE_SECURITY, p.tenureSecurity));
    // What a part cannot use (every recipient at the full transfer, every programme at its most)
    // passes on: people → hub → public realm, so that the policy spends its budget as the others do.
    const people = portableSupport(w, budget * INTEGRATED_SHARES.people, {
      transfer: p.people.transfer,
      training: p.people.training,
      eligibility: p.people.eligibility,
      originalsOnly: true,
    });
    const hubMoney = budget * (INTEGRATED_SHARES.people + INTEGRATED_SHARES.hub) - people;
    // One literal, not a spread with fields added: V8 gives such a spread a new hidden class at
    // nearly every call once it has feedback, and hubProgrammes' code would be thrown away each time.
    const h = p.hub;
    // Typed, so that a programme added to HubOptions cannot be left out of the literal unnoticed.
    const opts: HubOptions = { adultEducation: h.adultEducation, familySupport: h.familySupport, employerPipeline: h.employerPipeline, community: h.community, friction: 0, coverage: 1 };
    const hub = hubProgrammes(w, b.target, b.weight, b.resource, hubMoney, opts);
    const physical = improveEnvironment(w, b.target, budget - people - hub, b.weight);
    return people + hub + physical;
  },
  stop(w) {
    endTransfers(w);
    endPipeline(w);
  },
};
