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

  it('its people\'s unemployment does not move (no people component)', () => {
    // Measured: -1.2 points (-3.1 to +0.6).
    const unemployment = diff(policy, none, metric('originalResidents.unemploymentRate'));
    expect(unemployment.lo).toBeLessThan(0);
    expect(unemployment.hi).toBeGreaterThan(0);
  });

  // Fails since the model has the sick out of work (docs/ODD.md §6.2): the better public realm
  // raises its original residents' health (+0.064, 0.057 to 0.071: health follows environment),
  // returns sick residents to work — out of work -7.0 points (-9.6 to -4.4) — and work raises
  // skill: +0.0023 (0.0010 to 0.0035). Before, skill moved -0.0014 (-0.0035 to +0.0007). The
  // channel is real in direction but stronger than the evidence on the health effects of physical
  // regeneration (small and uncertain); docs/ODD.md §9, known gaps.
  it.fails('its people gain no skills and leave worklessness no faster (no people component)', () => {
    const skill = diff(policy, none, metric('originalResidents.meanSkill'));
    expect(skill.lo).toBeLessThan(0);
    expect(skill.hi).toBeGreaterThan(0);
    expect(diff(policy, none, metric('originalResidents.outOfWorkRate')).lo).toBeLessThan(0);
    expect(diff(policy, none, metric('originalResidents.outOfWorkRate')).hi).toBeGreaterThan(0);
  });
});
