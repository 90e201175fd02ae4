/**
 * sunniside: the study's output targets (£100m private and £20m public investment, 500 jobs,
 * 7 acres of brownfield, 900 homes, 5,000 m² of commercial space) against what the model
 * builds, and the original residents' unemployment beside them. Ten seeds on the quarter-size
 * city, 12 years (the ten-year programme from year 2), each paired with its counterfactual: 20
 * runs. The targets do not depend on the city's size (they follow the £20m budget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/types.ts';
import { at, diff, over, pairedSeeds } from './helpers.ts';

let policy: RunResult[];
let none: RunResult[];
beforeAll(() => {
  ({ policy, none } = pairedSeeds('sunniside', [], 12));
});
const completion = (o: string) => (r: RunResult) => at(r, `outputs.completion.${o}`);

describe('sunniside over 10 seeds', () => {
  it('sets the study\'s targets', () => {
    const r = policy[0]!;
    expect(at(r, 'outputs.target.privateInvestment')).toBe(100_000_000);
    expect(at(r, 'outputs.target.publicInvestment')).toBe(20_000_000);
    expect(at(r, 'outputs.target.jobsCreated')).toBe(500);
    expect(at(r, 'outputs.target.brownfield')).toBeCloseTo(7, 9);
    expect(at(r, 'outputs.target.homesBuilt')).toBe(900);
    expect(at(r, 'outputs.target.floorspace')).toBe(5000);
  });

  it('floorspace completion is far above housing completion (study: 85% against 24%)', () => {
    // Measured: floorspace 78.4%, homes 1.7% (1.0-2.5); brownfield 73.1%, jobs 30.0%.
    for (const r of policy) expect(completion('floorspace')(r)).toBeGreaterThan(3 * completion('homesBuilt')(r) + 30);
    expect(over(policy, completion('floorspace')).mean).toBeGreaterThan(60);
    expect(over(policy, completion('homesBuilt')).mean).toBeLessThan(25);
  });

  it('"jobs created" count jobs that moved in from elsewhere', () => {
    // Measured: 150 jobs created (net, in the target), against 144 that came with relocating firms.
    const relocated = over(policy, (r) => at(r, 'outputs.jobsRelocated'));
    expect(relocated.lo).toBeGreaterThan(0.2 * over(policy, (r) => at(r, 'outputs.jobsCreated')).mean);
  });

  it.fails('private investment reaches about half its target (study: 54%)', () => {
    // Measured: 8.3% in every seed. The model has no speculative private development: private
    // money comes only as the private share of gap-funded floorspace and subsidised homes.
    expect(over(policy, completion('privateInvestment')).mean).toBeGreaterThan(40);
  });

  it.fails('the original residents\' unemployment stays high: above the city\'s at the end (study: it stayed high)', () => {
    // Measured: 8.6% when the programme starts, 5.0% (4.2-5.7) at the end against the city's 5.9%,
    // below it in 8 of 10 seeds; 5.7% in the counterfactual, so most of the fall happens without the
    // programme (the ILO rate; the sick are outside it: docs/ODD.md §6.2). Before the model had the
    // sick: 10.5%, 4.8% against 6.2%, below it in 9 of 10 seeds.
    for (const r of policy) expect(at(r, 'originalResidents.unemploymentRate')).toBeGreaterThan(at(r, 'city.unemploymentRate'));
  });

  it('the programme moves its original residents\' unemployment by far less than it reports jobs', () => {
    const fall = diff(none, policy, (r) => at(r, 'originalResidents.unemploymentRate'));
    // Jobs per original resident in the labour force, against the change in their unemployment.
    const jobsPerOriginal = over(policy, (r) => at(r, 'outputs.jobsCreated') / at(r, 'originalResidents.atStart')).mean;
    // Measured: 13 jobs per 100 original households (11 to 14); their unemployment fell by 0.7
    // points (-0.04 to 1.4). Before the model had the sick out of work: 11 jobs, a fall of 2.4.
    expect(Math.abs(fall.mean)).toBeLessThan(0.5 * jobsPerOriginal);
  });

  // Measured: -0.7 points (-1.4 to +0.04) against the counterfactual: lower on average, though the
  // interval only just takes in no change. Out of work (unemployed or sick) -1.6 points (-2.1 to
  // -1.0), part of it through health: the public realm raises the original residents' health a
  // little (+0.012, 0.010 to 0.015; docs/ODD.md §6.3).
  it('the programme lowers its original residents\' unemployment', () => {
    expect(diff(none, policy, (r) => at(r, 'originalResidents.unemploymentRate')).mean).toBeGreaterThan(0);
  });
});
