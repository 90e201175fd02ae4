import { describe, expect, it } from 'vitest';
import { gini } from '../../../sim/metrics/concentration.ts';
import { domainScores } from '../../../sim/metrics/deprivation.ts';
import { GROUP_COUNT, householdGroups, peopleMetricsByGroup, peopleMetricsWithCity, peopleMetricsWithOrder } from '../../../sim/metrics/programme.ts';
import type { World } from '../../../sim/world.ts';
import { smallWorld } from '../helpers.ts';

function withCity(w: World): { values: unknown; gini: number } {
  const { values, gini: g } = peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT);
  return { values, gini: g };
}

/** The groups' aggregates and the city's Gini as computed one group at a time. */
function reference(w: World): { values: unknown; gini: number } {
  const { values, incomes, offsets } = peopleMetricsByGroup(w, householdGroups(w), GROUP_COUNT);
  return { values, gini: gini(incomes.subarray(offsets[0]!, offsets[1]!)) };
}

describe('peopleMetricsWithCity', () => {
  it('gives the medians and Gini of the per-group selection, bit for bit', () => {
    const w = smallWorld(5);
    expect(withCity(w)).toEqual(reference(w));
    // Many equal incomes (ties across float32 rounding too) and even and odd group sizes.
    const h = w.households;
    for (let s = 0; s < h.count; s++) if (s % 3 === 0) h.income[s] = 10000 + (s % 7) * 1e-9;
    expect(withCity(w)).toEqual(reference(w));
    h.alive[1] = 0;
    expect(withCity(w)).toEqual(reference(w));
  });

  it('selects each median when an income is not positive', () => {
    const w = smallWorld(6);
    const h = w.households;
    h.income[2] = 0;
    h.income[3] = -50;
    h.income[4] = -0;
    expect(withCity(w)).toEqual(reference(w));
    const { city } = peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT);
    const mask = householdGroups(w, false);
    expect(peopleMetricsWithOrder(w, mask, GROUP_COUNT, city).values).toEqual(peopleMetricsByGroup(w, mask, GROUP_COUNT).values);
  });

  it("reads a view's medians off the city's order", () => {
    const w = smallWorld(7);
    const { city } = peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT);
    const mask = householdGroups(w, false);
    // A view's own grouping of the same households: every third in a people view.
    for (let s = 0; s < mask.length; s++) if (mask[s] !== 0 && s % 3 === 0) mask[s]! |= 1 << 6;
    expect(peopleMetricsWithOrder(w, mask, GROUP_COUNT, city).values).toEqual(peopleMetricsByGroup(w, mask, GROUP_COUNT).values);
    // Fewer households than the city's: the view's medians are selected.
    mask[mask.findIndex((m) => m !== 0)] = 0;
    expect(peopleMetricsWithOrder(w, mask, GROUP_COUNT, city).values).toEqual(peopleMetricsByGroup(w, mask, GROUP_COUNT).values);
  });

  it("gathers the deprivation domains' resident sums as domainScores does", () => {
    const w = smallWorld(8);
    const { residents } = peopleMetricsWithCity(w, householdGroups(w), GROUP_COUNT);
    expect(domainScores(w, residents)).toEqual(domainScores(w));
  });
});
