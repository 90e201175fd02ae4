/**
 * Baseline plausibility (MODEL.md §7, last paragraph), over 10 seeds of the default city.
 *
 * Each seed's figure is its mean over years 1–10 (year 0 is the generated state); the test checks
 * the mean over seeds against the English range, widened by the tolerance stated beside it, and
 * prints the mean with its 95% interval. `npm run calibration` gives the 25-year figures quoted in
 * docs/ODD.md §9.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../sim/config/schema.ts';
import { runScenario } from '../../sim/simulation.ts';
import { meanInterval } from '../../bench/calibration.ts';

const SEEDS = 10;
const YEARS = 10;
const per: Record<string, number[]> = {};

beforeAll(() => {
  const config = scenarioSchema.parse({ name: 'baseline' });
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runScenario(config, { seed, years: YEARS });
    for (const m of ['povertyRate', 'unemploymentRate', 'outOfWorkRate', 'deprivedOutOfWorkRate', 'mobilityRate', 'dissimilarity', 'deprivedPersistence5y', 'moransI']) {
      const vals = r.series.filter((f) => f.year >= 1 && f.city[m] !== undefined).map((f) => f.city[m]!);
      (per[m] ??= []).push(vals.reduce((a, b) => a + b, 0) / vals.length);
    }
  }
}, 300_000);

function check(metric: string, lo: number, hi: number): void {
  const { mean, lo: ciLo, hi: ciHi } = meanInterval(per[metric]!);
  console.log(`${metric}: ${mean.toFixed(3)} (95% ${ciLo.toFixed(3)}–${ciHi.toFixed(3)}), accepted [${lo}, ${hi}]`);
  expect(mean).toBeGreaterThanOrEqual(lo);
  expect(mean).toBeLessThanOrEqual(hi);
}

describe('baseline plausibility over 10 seeds', () => {
  // Range 18–22%; tolerance ±1 point for the shorter horizon.
  it('relative poverty (after housing costs) is about a fifth of households', () => check('povertyRate', 0.17, 0.23));
  // Range 5–8%; tolerance +1 point.
  it('city unemployment is 5–8%', () => check('unemploymentRate', 0.05, 0.09));
  // Range 15–25%, compared with what England's employment deprivation counts in the most deprived
  // tenth: the working-age out of work, unemployed or sick, over all of working age (docs/ODD.md §9).
  // Tolerance ±1 point for the shorter horizon.
  it('a sixth to a quarter of working-age heads in the most deprived tenth of cells are out of work (unemployed or sick)', () => check('deprivedOutOfWorkRate', 0.14, 0.26));
  // England's most deprived decile has about twice the average employment deprivation; a city
  // without spatial structure would show a ratio near 1.
  it('worklessness concentrates in the most deprived neighbourhoods', () => {
    const ratio = per.deprivedOutOfWorkRate!.map((d, i) => d / per.outOfWorkRate![i]!);
    per.ratio = ratio;
    check('ratio', 1.3, 4);
  });
  // Range 10–15%; tolerance −1 point (the first years hold few moves from before the run).
  it('yearly residential mobility is 10–15%', () => check('mobilityRate', 0.09, 0.15));
  // Range 0.3–0.4; tolerance ±0.03.
  it('poor and non-poor are segregated as in English cities (dissimilarity 0.3–0.4)', () => check('dissimilarity', 0.27, 0.43));
  // England 2015→2019: 88% of the most deprived decile stayed; "most" is the claim.
  it('most of the most deprived tenth of areas is still there five years later', () => check('deprivedPersistence5y', 0.5, 1));
  it('poverty is spatially clustered (Moran I clearly positive)', () => check('moransI', 0.2, 1));
});
