/**
 * weston and integrated: a school as community hub over its soft catchment, with the
 * institutional friction and partial departmental coverage the study reports, the same with both
 * removed, and the study's recommendation (integrated) on the same catchment and budget (both
 * draw the school serving the most deprived area). Ten seeds on the quarter-size city (a
 * catchment of radius 3 holds as many households as in the default city: the density is the
 * same), 12 years (the ten-year programme from year 2 to its end: a run must last until its
 * programme ends): 40 runs, paired by seed. One file, so that the weston
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
  ({ policy: hub, none } = pairedSeeds('weston', [], 12));
  frictionless = runSeeds('weston', ['policy.hub.friction=0', 'policy.hub.coverage=1'], 12);
  integrated = runSeeds('integrated', [], 12);
});

describe('weston over 10 seeds', () => {
  it('raises the skills and children\'s attainment of the people it started with', () => {
    // Measured against the counterfactual: skill +0.048 (0.044-0.052), attainment +0.047
    // (0.041-0.053). At 8 years (six of the programme's ten): +0.041 and +0.040.
    for (const m of ['meanSkill', 'childAttainment', 'unemploymentRate', 'outOfWorkRate', 'povertyRate']) {
      const d = diff(hub, none, metric(`originalResidents.${m}`));
      console.log(`original residents' ${m}, weston − none: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(hub, none, metric('originalResidents.meanSkill')).lo).toBeGreaterThan(0.02);
    expect(diff(hub, none, metric('originalResidents.childAttainment')).lo).toBeGreaterThan(0.02);
  });

  // Measured: unemployment -1.0 point (-1.9 to -0.2), out of work -1.9 (-2.8 to -1.0); at 8 years
  // -0.7 (-1.3 to -0.2) and -1.1 (-1.7 to -0.5). Firms'
  // draws keyed by slot and quarter pair the runs' labour demand: while firms drew from one stream
  // the interval took in zero (-0.5, -1.8 to +0.8). Smaller than before the sick (-1.3): a school
  // hub's adult education and pipeline reach searchers; the sick — about two thirds of the out of
  // work in the most deprived tenth of cells (docs/ODD.md §9) — do not search.
  it('raises the employment of the people it started with', () => {
    expect(diff(hub, none, metric('originalResidents.unemploymentRate')).hi).toBeLessThan(0);
  });

  // Fails: measured -0.2 points (-1.9 to +1.5); -1.1 (-2.8 to +0.6) at 8 years. It was -1.0 (-1.9
  // to -0.1), at 8 years, before the deprivation
  // index counted the unemployed over four quarters, and -1.0 (-2.1 to +0.1) after it, before the
  // sick had spells that last: the hub's skills reach searchers, not the sick.
  it.fails('lowers the poverty of the people it started with', () => {
    expect(diff(hub, none, metric('originalResidents.povertyRate')).hi).toBeLessThan(0);
  });

  it('spends nothing on places, so the place barely changes', () => {
    // Measured: environment +0.010 (0.009 to 0.011), rents +£440 (264 to 616).
    for (const m of ['environment', 'meanRent', 'povertyRate']) {
      const d = diff(hub, none, metric(`target.${m}`));
      console.log(`target ${m}, weston − none: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    expect(diff(hub, none, metric('target.environment')).mean).toBeLessThan(0.02);
  });

  // Fails: measured -1.2 points (-3.0 to +0.7); -1.7 (-4.1 to +0.7) at 8 years. It was -1.8 (-3.1
  // to -0.5), at 8 years, before the model had the
  // sick out of work: the deprivation index now counts them, which changes the most deprived
  // catchment, and so the hub's school, for some seeds, and the catchment's out-of-work rate
  // falls only a little (-1.8 points, -3.0 to -0.6).
  it.fails('the catchment\'s poverty falls', () => {
    expect(diff(hub, none, metric('target.povertyRate')).hi).toBeLessThan(0);
  });

  it.fails('removing the friction and bringing in every department raises the gains (study: the two difficulties)', () => {
    // Measured (no friction, full coverage minus the scenario): skill +0.0005 (-0.0011 to
    // +0.0021), unemployment -0.5 points (-1.7 to +0.6), attainment -0.009 (-0.014 to -0.005).
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
    // Measured: +0.017 (0.015-0.020) over weston; out of work -3.7 points (-5.2 to -2.3),
    // unemployment -0.4 (-1.3 to +0.5); the catchment's rents +£2,683 (2,419 to 2,947).
    for (const m of ['meanSkill', 'unemploymentRate', 'outOfWorkRate']) {
      const d = diff(integrated, hub, metric(`originalResidents.${m}`));
      console.log(`original residents' ${m}, integrated − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    }
    const rent = diff(integrated, hub, metric('target.meanRent'));
    console.log(`target rent, integrated − weston: ${rent.mean.toFixed(0)} (${rent.lo.toFixed(0)} to ${rent.hi.toFixed(0)})`);
    expect(diff(integrated, hub, metric('originalResidents.meanSkill')).lo).toBeGreaterThan(0);
  });

  // Measured: -6.3 points (-10.5 to -2.0); at 8 years -4.0 (-7.5 to -0.5), and -2.6 (-5.3 to +0.05)
  // while firms drew from one stream.
  // It emerged once the portable transfer was disregarded by the housing allowance's means test
  // (docs/ODD.md §6.5); before, a transfer over the line cost its recipient the allowance.
  it('keeps more of those who escape poverty in the area (study: a hub that improves core resources holds them)', () => {
    const d = diff(integrated, hub, metric('churn.exitedPovertyLeftShare'));
    console.log(`share of poverty exiters who left, integrated − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    expect(d.hi).toBeLessThan(0);
  });

  it('leaves its original residents less poor (study: people and place together serve the poor best)', () => {
    // Measured: -7.0 points (-8.2 to -5.9). The parks (15% of the budget) raise rents in the
    // catchment; the portable support, no longer clawed back by the allowance's means test, more
    // than pays for it.
    const d = diff(integrated, hub, metric('originalResidents.povertyRate'));
    console.log(`original residents' poverty, integrated − weston: ${d.mean.toFixed(4)} (${d.lo.toFixed(4)} to ${d.hi.toFixed(4)})`);
    expect(d.hi).toBeLessThan(0);
  });
});
