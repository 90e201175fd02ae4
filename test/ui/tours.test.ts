/**
 * The guided tours (ui/tours.ts) are data: each must set the lab up with a bundled scenario or
 * policies that exist, ask its prediction before it runs, and point at a section the page has.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_KINDS } from '../../sim/config/schema.ts';
import { DEFAULT_STATE, buildConfig } from '../../ui/state.ts';
import { TOURS } from '../../ui/tours.ts';

const bundled = new Set(readdirSync(new URL('../../scenarios/', import.meta.url)).map((f) => f.replace(/\.json$/, '')));
const page = readFileSync(new URL('../../ui/index.html', import.meta.url), 'utf8');

describe('guided tours', () => {
  it.each(TOURS.map((t) => [t.id, t] as const))('%s names a bundled scenario, known policies and sections the page has', (_, tour) => {
    expect(tour.setup.scenarios.some((n) => bundled.has(n)), `none of ${tour.setup.scenarios.join(', ')} is bundled`).toBe(true);
    for (const k of [...tour.setup.policies, ...(tour.setup.withScenario ?? [])]) expect(POLICY_KINDS).toContain(k);
    const runAt = tour.steps.findIndex((s) => s.run);
    expect(runAt).toBeGreaterThanOrEqual(0);
    expect(tour.steps[runAt]!.predict, 'the step that runs asks for a prediction first').toBeDefined();
    for (const s of tour.steps) if (s.look) expect(page).toContain(`id="${s.look}"`);
  });

  // The state a tour sets, as startTour sets it (ui/main.ts), must be one the lab accepts: a
  // programme longer than the tour's years, say, would stop the tour at its first step.
  it.each(TOURS.map((t) => [t.id, t] as const))('%s sets up a comparison the lab accepts', (_, tour) => {
    const own = tour.setup.scenarios.find((n) => bundled.has(n));
    const config = buildConfig({
      ...DEFAULT_STATE,
      scenario: own ?? 'baseline',
      sets: own ? {} : tour.setup.sets,
      policies: own ? [...(tour.setup.withScenario ?? tour.setup.policies)] : [...tour.setup.policies],
      years: tour.setup.years,
    });
    expect(config.run.years).toBe(tour.setup.years);
  });
});
