/**
 * tabula-rasa-1980s: clearance and rebuild, with the trickle-down expectations as targets. Ten
 * seeds on the quarter-size city, 12 years (the ten-year programme from year 2 to its end: a run
 * must last until its programme ends), each paired with its counterfactual: 20 runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { at, diff, metric, over, pairedSeeds, total } from './helpers.ts';

let policy: RunResult[];
let none: RunResult[];
beforeAll(() => {
  ({ policy, none } = pairedSeeds('tabula-rasa-1980s', [], 12));
});

describe('tabula-rasa-1980s over 10 seeds', () => {
  it('forces residents out and raises rents in the target', () => {
    const f = diff(policy, none, (r) => total(r, 'target', 'forcedMoves'));
    const rent = diff(policy, none, metric('target.meanRent'));
    console.log(`forced moves out of the target: ${f.mean.toFixed(1)} (${f.lo.toFixed(1)} to ${f.hi.toFixed(1)}); target rent ${rent.mean.toFixed(0)} (${rent.lo.toFixed(0)} to ${rent.hi.toFixed(0)})`);
    // Measured: +744 forced moves out of the target over the run (719-769); rents +£2,399
    // (2,113-2,686). At 8 years (six of the programme): +415 and +£1,230.
    expect(diff(policy, none, (r) => total(r, 'target', 'forcedMoves')).lo).toBeGreaterThan(100);
    expect(diff(policy, none, metric('target.meanRent')).lo).toBeGreaterThan(500);
  });

  // Measured at the programme's end: the original residents +0.1 points (-1.9 to +2.0), the city
  // -0.2 (-0.8 to +0.4), while the target's poverty falls 3.6 points (1.8 to 5.5): the place
  // improves, its people and the city do not. The target is a third of this city's homes, and
  // while its neighbourhoods are rebuilt the city has 196 fewer households (163 to 227) — those
  // forced out leave rather than outbid others — so rents elsewhere fall (-£608 a year in the rest).
  // At 8 years, six years into the programme, that fall had made the city 0.3 points less poor
  // (-0.6 to -0.02), and the claim failed on this city. On the default city (test/facts, 10a)
  // neither moves: city 0.0 points (-0.2 to +0.1).
  it('trickle-down does not arrive: neither the original residents nor the city are measurably less poor', () => {
    for (const m of ['originalResidents.povertyRate', 'city.povertyRate', 'city.households', 'rest.meanRent', 'target.povertyRate']) {
      const d = diff(policy, none, metric(m));
      console.log(`${m}, tabula rasa − none: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(policy, none, metric('originalResidents.povertyRate')).hi).toBeGreaterThan(0);
    expect(diff(policy, none, metric('city.povertyRate')).hi).toBeGreaterThan(0);
  });

  it('the expected jobs fall far short of their target', () => {
    // Measured completion: jobs 16.1% (11.1-21.2), homes 63.2% (60.6-65.9), floorspace 84.6%
    // (81.8-87.3); at 8 years 7.8%, 25.3% and 49.8%.
    for (const o of ['jobsCreated', 'homesBuilt', 'floorspace']) {
      const c = over(policy, (r) => at(r, `outputs.completion.${o}`));
      console.log(`completion ${o}: ${c.mean.toFixed(1)}% (${c.lo.toFixed(1)} to ${c.hi.toFixed(1)})`);
    }
    expect(over(policy, (r) => at(r, 'outputs.completion.jobsCreated')).hi).toBeLessThan(40);
  });
});
