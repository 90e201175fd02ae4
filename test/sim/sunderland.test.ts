/**
 * The real city against what was observed (docs/sunderland.md):
 * - the synthesised city's deprivation index ranks its 185 areas as the published IMD 2019 does
 *   (Spearman ≥ 0.8);
 * - after five years without policy, the share of the most deprived tenth of areas still in it is
 *   comparable to England's 88% between IMD 2015 and 2019 (MHCLG, IoD2019 Statistical Release):
 *   the mean over 10 seeds within ±0.12 of 0.88. The tolerance: the tenth is 19 areas, one area is
 *   5.3 points, and a binomial share of 19 at 0.88 has a standard deviation of 7.5 points.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../sim/simulation.ts';
import { DOMAINS, deprivationIndexByGroup, domainScores, type Domain } from '../../sim/metrics/deprivation.ts';
import { smallAreaTableOf } from '../../sim/smallAreaCity.ts';
import { spearman } from '../../sim/smallAreas.ts';
import { loadScenario } from '../../workers/scenarios.ts';
import { meanInterval } from '../../bench/calibration.ts';

const SEEDS = 10;
const YEARS = 5;
const OBSERVED_PERSISTENCE = 0.88;
const TOLERANCE = 0.12;

describe('Sunderland against its published deprivation', () => {
  const config = loadScenario('sunderland');
  const table = smallAreaTableOf(config);

  it('ranks its 185 areas at the start as IMD 2019 does (Spearman ≥ 0.8)', () => {
    const rhos: number[] = [];
    for (let seed = 1; seed <= 3; seed++) {
      const sim = createSimulation(config, { seed });
      const { index } = deprivationIndexByGroup(sim.world, sim.world.geo.statUnit);
      // The model's index grows with deprivation, the published rank falls with it.
      rhos.push(spearman(index, table.imdRank.map((r) => -r)));
    }
    console.log(`Spearman of the initial index with the IMD 2019 rank, seeds 1–3: ${rhos.map((r) => r.toFixed(3)).join(', ')}`);
    for (const r of rhos) expect(r).toBeGreaterThanOrEqual(0.8);
  });

  it('orders its areas on each domain as published, except barriers, which is left to emerge', () => {
    const w = createSimulation(config, { seed: 1 }).world;
    const sc = domainScores(w);
    const neg = (a: Float64Array) => a.map((v) => -v);
    const published: Record<Domain, Float64Array> = {
      income: table.income, employment: table.employment, education: neg(table.domainRank.education),
      health: neg(table.domainRank.health), crime: neg(table.domainRank.crime),
      barriers: neg(table.domainRank.housing_barriers), environment: neg(table.domainRank.living_environment),
    };
    const rho = Object.fromEntries(DOMAINS.map((d) => [d, spearman(sc[d], published[d])])) as Record<Domain, number>;
    console.log(`Spearman per domain at the start: ${DOMAINS.map((d) => `${d} ${rho[d].toFixed(3)}`).join(', ')}`);
    // Set from the data (income and employment by swaps, the others directly).
    for (const d of ['income', 'employment', 'health', 'crime', 'environment'] as const) expect(rho[d]).toBeGreaterThanOrEqual(0.95);
    // Follows from sorting households by skill into areas: an order, not an identity.
    expect(rho.education).toBeGreaterThanOrEqual(0.85);
  });

  // 0.842 (95% 0.817–0.867) over seeds 1–10. The employment domain is the IoD's four-quarter mean
  // of the working-age out of work, unemployed or sick (sim/metrics/deprivation.ts): the sick are
  // a slow-changing stock, and with them persistence rose from 0.768 (0.728–0.809), at the edge by
  // 0.008. The four-quarter mean had raised the year-to-year rank correlation of areas' employment
  // domain from about 0.2 (one quarter's count, ~9 workers an area) to about 0.5, but persistence
  // only by about 0.01 (before: 0.758, 95% 0.714–0.802).
  // The interval still lies below 0.88: most of the IoD's employment domain is a stable stock out
  // of work through sickness or disability, which the model does not represent (its unemployment
  // is 0.29 of Sunderland's employment rate), so the employment domain still churns.
  // docs/sunderland.md §5.
  it(`keeps most of its most deprived tenth of areas for five years (England 2015→2019: 88%)`, () => {
    const per: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const sim = createSimulation(config, { seed });
      sim.runYears(YEARS);
      per.push(sim.frame().city.deprivedPersistence5y!);
    }
    const { mean, lo, hi } = meanInterval(per);
    console.log(
      `persistence of the most deprived tenth (19 of 185 areas) after ${YEARS} years, ${SEEDS} seeds: ` +
        `${mean.toFixed(3)} (95% ${lo.toFixed(3)}–${hi.toFixed(3)}; per seed ${per.map((p) => p.toFixed(3)).join(', ')}), ` +
        `accepted ${OBSERVED_PERSISTENCE} ± ${TOLERANCE}`,
    );
    expect(Math.abs(mean - OBSERVED_PERSISTENCE)).toBeLessThanOrEqual(TOLERANCE);
    // ~25 s on an idle 2-core machine; the margin is for a shared one.
  }, 300_000);
});
