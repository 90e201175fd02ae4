/**
 * micro-regeneration: public-realm and housing upgrades of a small old neighbourhood, nothing for
 * its people. Ten seeds on the quarter-size city, 7 years (the five-year programme from year 2),
 * each paired with its counterfactual: 20 runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { diff, metric, pairedSeeds } from './helpers.ts';

let policy: RunResult[];
let none: RunResult[];
beforeAll(() => {
  ({ policy, none } = pairedSeeds('micro-regeneration', [], 7));
});

describe('micro-regeneration over 10 seeds', () => {
  it('the place looks better and costs more to live in', () => {
    // Measured: environment +0.58 (0.54-0.62), crime -0.100, rents +£2,649 (2,512-2,786).
    expect(diff(policy, none, metric('target.environment')).lo).toBeGreaterThan(0.3);
    expect(diff(policy, none, metric('target.crime')).hi).toBeLessThan(0);
    expect(diff(policy, none, metric('target.meanRent')).lo).toBeGreaterThan(1000);
  });

  it('its people gain no skills and no jobs (no people component)', () => {
    // Measured: skill -0.0014 (-0.0035 to +0.0007); unemployment -0.8 points (-2.7 to +1.1).
    const skill = diff(policy, none, metric('originalResidents.meanSkill'));
    expect(skill.lo).toBeLessThan(0);
    expect(skill.hi).toBeGreaterThan(0);
    const unemployment = diff(policy, none, metric('originalResidents.unemploymentRate'));
    expect(unemployment.lo).toBeLessThan(0);
    expect(unemployment.hi).toBeGreaterThan(0);
  });
});
