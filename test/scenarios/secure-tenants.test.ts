/**
 * secure-tenants: a place-based programme that spends on its residents and protects its sitting
 * tenants from rent-forced moves. Ten seeds on the quarter-size city, 12 years (the ten-year
 * programme from year 2), each paired with its counterfactual: 20 runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { diff, metric, pairedSeeds } from './helpers.ts';

let policy: RunResult[];
let none: RunResult[];
beforeAll(() => {
  ({ policy, none } = pairedSeeds('secure-tenants', [], 12));
});

describe('secure-tenants over 10 seeds', () => {
  it('forces fewer households out, fewer into the ring, and the ring is less poor: a halo', () => {
    // Measured: forced out −154 (−177 to −132), into the ring −36 (−50 to −23), ring poverty −1.2
    // points (−2.3 to −0.2).
    expect(diff(policy, none, metric('churn.forcedOutMovers')).hi).toBeLessThan(0);
    expect(diff(policy, none, metric('churn.forcedToRing')).hi).toBeLessThan(0);
    expect(diff(policy, none, metric('ring.povertyRate')).hi).toBeLessThan(0);
  });

  it('keeps its people, who pay the improved area\'s rents: the place and its residents end poorer after housing costs', () => {
    // Measured: target poverty +8.4 points (6.9 to 9.9), original residents +5.1 (4.0 to 6.2),
    // target rents +£2,700, out of work −3.3 points.
    expect(diff(policy, none, metric('target.povertyRate')).lo).toBeGreaterThan(0);
    expect(diff(policy, none, metric('originalResidents.povertyRate')).lo).toBeGreaterThan(0);
    expect(diff(policy, none, metric('target.meanRent')).lo).toBeGreaterThan(0);
    expect(diff(policy, none, metric('originalResidents.outOfWorkRate')).hi).toBeLessThan(0);
  });
});
