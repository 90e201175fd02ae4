/**
 * People-based policy: means-tested, portable support — a transfer and training with job-search
 * help — that follows the household wherever it lives (MODEL.md §4). It has no place of its own;
 * the default area-based target is still drawn so that regions and original residents are measured
 * as in the other runs. Tenure security is a place lever and is not used.
 *
 * By default (`people.reach: 'residents'`) the claimants are the target's residents at the start —
 * the people an area programme would serve at the same budget — and the support follows them
 * wherever they move; `'city'` opens it to every eligible household, which spreads the same money
 * thin. Each quarter every eligible claimant (income before housing support under
 * `people.eligibility` × the means-test line) gets up to `people.transfer` a year, and its
 * working-age adults who are out of work or low-skilled up to `people.training`; when the budget
 * does not cover everyone at those amounts, both are scaled down so that spending matches it.
 */
import { defaultIndexRule } from './defaults.ts';
import type { Policy } from './index.ts';
import { endTransfers, portableSupport, resetProgrammes } from './levers.ts';

export const peopleBased: Policy = {
  kind: 'people-based',
  defaultBoundary: defaultIndexRule,
  step(w, _b, budget) {
    const p = w.config.policy.people;
    resetProgrammes(w);
    return portableSupport(w, budget, { transfer: p.transfer, training: p.training, eligibility: p.eligibility, originalsOnly: p.reach === 'residents' });
  },
  stop(w) {
    endTransfers(w);
  },
};
