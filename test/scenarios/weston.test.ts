/**
 * weston and integrated: a school as community hub over its soft catchment, with the
 * institutional friction and partial departmental coverage the study reports, the same with both
 * removed, and the study's recommendation (integrated) on the same catchment and budget (both
 * draw the school serving the most deprived area). Ten seeds on the quarter-size city (a
 * catchment of radius 3 holds as many households as in the default city: the density is the
 * same), 8 years (six of the programme): 40 runs, paired by seed. One file, so that the weston
 * runs serve both scenarios.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { at, diff, metric, pairedSeeds, runSeeds } from './helpers.ts';

let hub: RunResult[];
let none: RunResult[];
let frictionless: RunResult[];
let integrated: RunResult[];
beforeAll(() => {
  ({ policy: hub, none } = pairedSeeds('weston', [], 8));
  frictionless = runSeeds('weston', ['policy.hub.friction=0', 'policy.hub.coverage=1'], 8);
  integrated = runSeeds('integrated', [], 8);
});

describe('weston over 10 seeds', () => {
  it('raises the skills and children\'s attainment of the people it started with', () => {
    // Measured against the counterfactual: skill +0.041 (0.037-0.045), attainment +0.040
    // (0.034-0.046).
    for (const m of ['meanSkill', 'childAttainment', 'unemploymentRate', 'outOfWorkRate', 'povertyRate']) {
      const d = diff(hub, none, metric(`originalResidents.${m}`));
      console.log(`original residents' ${m}, weston − none: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(hub, none, metric('originalResidents.meanSkill')).lo).toBeGreaterThan(0.02);
    expect(diff(hub, none, metric('originalResidents.childAttainment')).lo).toBeGreaterThan(0.02);
  });

  // Measured: unemployment -0.7 points (-1.3 to -0.2), out of work -1.1 (-1.7 to -0.5). Firms'
  // draws keyed by slot and quarter pair the runs' labour demand: while firms drew from one stream
  // the interval took in zero (-0.5, -1.8 to +0.8). Smaller than before the sick (-1.3): a school
  // hub's adult education and pipeline reach searchers; the sick — about two thirds of the out of
  // work in the most deprived tenth of cells (docs/ODD.md §9) — do not search.
  it('raises the employment of the people it started with', () => {
    expect(diff(hub, none, metric('originalResidents.unemploymentRate')).hi).toBeLessThan(0);
  });

  // Fails: measured -1.1 points (-2.8 to +0.6). It was -1.0 (-1.9 to -0.1) before the deprivation
  // index counted the unemployed over four quarters, and -1.0 (-2.1 to +0.1) after it, before the
  // sick had spells that last: the hub's skills reach searchers, not the sick.
  it.fails('lowers the poverty of the people it started with', () => {
    expect(diff(hub, none, metric('originalResidents.povertyRate')).hi).toBeLessThan(0);
  });

  it('spends nothing on places, so the place barely changes', () => {
    // Measured: environment +0.0058 (0.0052 to 0.0065), rents +£302 (152 to 452).
    for (const m of ['environment', 'meanRent', 'povertyRate']) {
      const d = diff(hub, none, metric(`target.${m}`));
      console.log(`target ${m}, weston − none: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(hub, none, metric('target.environment')).mean).toBeLessThan(0.02);
  });

  // Fails: measured -1.7 points (-4.1 to +0.7). It was -1.8 (-3.1 to -0.5) before the model had the
  // sick out of work: the deprivation index now counts them, which changes the most deprived
  // catchment, and so the hub's school, for some seeds, and the catchment's out-of-work rate
  // falls only a little (-1.8 points, -3.0 to -0.6).
  it.fails('the catchment\'s poverty falls', () => {
    expect(diff(hub, none, metric('target.povertyRate')).hi).toBeLessThan(0);
  });

  it.fails('removing the friction and bringing in every department raises the gains (study: the two difficulties)', () => {
    // Measured (no friction, full coverage minus the scenario): skill +0.0000 (-0.0012 to
    // +0.0012), unemployment +0.1 points (-0.7 to +0.9), attainment -0.004 (-0.006 to -0.002).
    // Our reading: adult education may already reach everyone who can take part, and the money
    // friction diverts buys school quality instead (hence the attainment).
    for (const m of ['meanSkill', 'unemploymentRate', 'childAttainment']) {
      const d = diff(frictionless, hub, metric(`originalResidents.${m}`));
      console.log(`original residents' ${m}, no friction − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(frictionless, hub, metric('originalResidents.meanSkill')).lo).toBeGreaterThan(0);
  });
});

describe('integrated over 10 seeds, against weston', () => {
  it('serves the same people', () => {
    for (let i = 0; i < integrated.length; i++) {
      expect(at(integrated[i]!, 'originalResidents.atStart')).toBe(at(hub[i]!, 'originalResidents.atStart'));
    }
  });

  it('raises its original residents\' skills further', () => {
    // Measured: +0.014 (0.012-0.016) over weston.
    expect(diff(integrated, hub, metric('originalResidents.meanSkill')).lo).toBeGreaterThan(0);
  });

  // Measured: -4.0 points (-7.5 to -0.5); -2.6 (-5.3 to +0.05) while firms drew from one stream.
  // It emerged once the portable transfer was disregarded by the housing allowance's means test
  // (docs/ODD.md §6.5); before, a transfer over the line cost its recipient the allowance.
  it('keeps more of those who escape poverty in the area (study: a hub that improves core resources holds them)', () => {
    const d = diff(integrated, hub, metric('churn.exitedPovertyLeftShare'));
    console.log(`share of poverty exiters who left, integrated − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    expect(d.hi).toBeLessThan(0);
  });

  it('leaves its original residents less poor (study: people and place together serve the poor best)', () => {
    // The parks (15% of the budget) raise rents in the catchment; the portable support, no longer
    // clawed back by the allowance's means test, more than pays for it.
    const d = diff(integrated, hub, metric('originalResidents.povertyRate'));
    console.log(`original residents' poverty, integrated − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    expect(d.hi).toBeLessThan(0);
  });
});
