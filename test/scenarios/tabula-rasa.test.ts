/**
 * tabula-rasa-1980s: clearance and rebuild, with the trickle-down expectations as targets. Ten
 * seeds on the quarter-size city, 8 years (six of the programme: enough for demolitions, rebuilds
 * and the rent rise), each paired with its counterfactual: 20 runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { at, diff, metric, over, pairedSeeds, total } from './helpers.ts';

let policy: RunResult[];
let none: RunResult[];
beforeAll(() => {
  ({ policy, none } = pairedSeeds('tabula-rasa-1980s', [], 8));
});

describe('tabula-rasa-1980s over 10 seeds', () => {
  it('forces residents out and raises rents in the target', () => {
    // Measured: +415 forced moves out of the target over the run (399-431); rents +£1,230 (971-1,489).
    expect(diff(policy, none, (r) => total(r, 'target', 'forcedMoves')).lo).toBeGreaterThan(100);
    expect(diff(policy, none, metric('target.meanRent')).lo).toBeGreaterThan(500);
  });

  // Fails on this quarter-size city since neighbourhoods are redeveloped whole (docs/ODD.md §7):
  // the city's poverty -0.3 points (-0.6 to -0.02); the original residents' -1.2 (-2.6 to +0.2), not
  // measurably. Not from jobs (8% of those expected arrive): the target is a third of this city's
  // homes, and while its neighbourhoods are rebuilt the city has 183 fewer households (-205 to
  // -161) — those forced out leave rather than outbid others — so rents elsewhere fall (-£289 a
  // year in the rest) and poverty after housing costs with them. On the default city (test/facts,
  // 10a) neither moves: city 0.0 points (-0.2 to +0.1). Before, the original residents -1.0 (-2.2
  // to +0.1), the city -0.2 (-0.5 to +0.1).
  it.fails('trickle-down does not arrive: neither the original residents nor the city are measurably less poor', () => {
    expect(diff(policy, none, metric('originalResidents.povertyRate')).hi).toBeGreaterThan(0);
    expect(diff(policy, none, metric('city.povertyRate')).hi).toBeGreaterThan(0);
  });

  it('the expected jobs fall far short of their target', () => {
    // Measured completion: jobs 7.8% (3.2-12.3), homes 25.3% (20.4-30.3), floorspace 49.8%.
    expect(over(policy, (r) => at(r, 'outputs.completion.jobsCreated')).hi).toBeLessThan(40);
  });
});
