import { describe, expect, it } from 'vitest';
import { gini } from '../../../sim/metrics/concentration.ts';
import { GROUP_COUNT, householdGroups, peopleMetricsByGroup, peopleMetricsWithCity } from '../../../sim/metrics/programme.ts';
import type { World } from '../../../sim/world.ts';
import { smallWorld } from '../helpers.ts';

/** The groups' aggregates and the city's Gini as computed one group at a time. */
function reference(w: World): { values: unknown; gini: number } {
  const { values, incomes, offsets } = peopleMetricsByGroup(w, householdGroups(w), GROUP_COUNT);
  return { values, gini: gini(incomes.subarray(offsets[0]!, offsets[1]!)) };
}

describe('peopleMetricsWithCity', () => {
  it('gives the medians and Gini of the per-group selection, bit for bit', () => {
    const w = smallWorld(5);
    expect(peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT)).toEqual(reference(w));
    // Many equal incomes (ties across float32 rounding too) and even and odd group sizes.
    const h = w.households;
    for (let s = 0; s < h.count; s++) if (s % 3 === 0) h.income[s] = 10000 + (s % 7) * 1e-9;
    expect(peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT)).toEqual(reference(w));
    h.alive[1] = 0;
    expect(peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT)).toEqual(reference(w));
  });

  it('selects each median when an income is not positive', () => {
    const w = smallWorld(6);
    const h = w.households;
    h.income[2] = 0;
    h.income[3] = -50;
    h.income[4] = -0;
    expect(peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT)).toEqual(reference(w));
  });
});
