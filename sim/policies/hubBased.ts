/**
 * Hub-based policy (the Weston case, STUDY.md; MODEL.md §4): a school becomes a community hub
 * whose soft boundary is its natural catchment, with effects decaying with distance from it.
 * Its money goes to adult education, family support, an employer pipeline (partner firms favour
 * its graduates: labour.ts) and community activity, in the scenario's `policy.hub` shares.
 *
 * The study's two difficulties are parameters: institutional friction (the school's exam targets
 * absorb a share of all hub money, which then only raises school quality a little) and
 * departmental coverage (the pipeline and community activity need other departments and work at
 * that strength; the money is spent either way). `policy.tenureSecurity` protects sitting
 * tenants in the catchment.
 *
 * When the programme ends partner firms stop; graduates keep their standing for eight quarters
 * (labour.ts lets it lapse once no partner firm is left).
 */
import { DEFAULT_HUB_RULE } from './defaults.ts';
import type { Policy } from './index.ts';
import { endPipeline, hubProgrammes, resetProgrammes, setTenureSecurity } from './levers.ts';

export const hubBased: Policy = {
  kind: 'hub-based',
  defaultBoundary: () => DEFAULT_HUB_RULE,
  step(w, b, budget) {
    if (!b) return 0;
    const p = w.config.policy;
    resetProgrammes(w);
    setTenureSecurity(w, b.target, p.tenureSecurity);
    return hubProgrammes(w, b.target, b.weight, b.resource, budget, p.hub);
  },
  stop(w) {
    endPipeline(w);
  },
};
