/**
 * The synthesised small-area city against its data, area by area (docs/sunderland.md quotes the
 * summary): households against the area's share of residents, poverty and the working-age out of
 * work (unemployed or sick) against
 * the published income and employment rates scaled to the city's level, and the rank correlation
 * of each model domain with the published domain rank.
 *
 *   npx tsx bench/smallAreaFit.ts [scenario] [--seed 1] [--csv]
 */
import { parseArgs } from 'node:util';
import { createWorld } from '../sim/create.ts';
import { DOMAINS, deprivationIndex, domainScores } from '../sim/metrics/deprivation.ts';
import { smallAreaFit, smallAreaTableOf } from '../sim/smallAreaCity.ts';
import { spearman } from '../sim/smallAreas.ts';
import { loadScenario } from '../workers/scenarios.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { seed: { type: 'string', default: '1' }, csv: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const config = loadScenario(positionals[0] ?? 'sunderland');
const w = createWorld(config, Number(values.seed));
const t = smallAreaTableOf(config);
const { areas, scale } = smallAreaFit(w);
if (values.csv) {
  console.log('code,name,households,households_target,poverty,poverty_target,out_of_work,out_of_work_target');
  for (const a of areas) {
    console.log([a.code, a.name, a.households, a.householdsTarget.toFixed(2), a.povertyRate.toFixed(4), a.povertyTarget.toFixed(4),
      a.outOfWorkRate.toFixed(4), a.outOfWorkTarget.toFixed(4)].join(','));
  }
} else {
  const abs = (f: (a: (typeof areas)[number]) => number) => areas.map(f).map(Math.abs);
  const stat = (xs: number[]) => `mean ${(xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(4)}, max ${Math.max(...xs).toFixed(4)}`;
  console.log(`${areas.length} areas, seed ${values.seed}`);
  console.log(`households − target: ${stat(abs((a) => a.households - a.householdsTarget))}`);
  console.log(`poverty − target:    ${stat(abs((a) => a.povertyRate - a.povertyTarget))} (target = ${scale.poverty.toFixed(3)} × income rate)`);
  console.log(`out of work − target: ${stat(abs((a) => a.outOfWorkRate - a.outOfWorkTarget))} (target = ${scale.outOfWork.toFixed(3)} × employment rate)`);
  const neg = (a: Float64Array) => a.map((v) => -v);
  const pub: Record<string, Float64Array> = {
    income: t.income, employment: t.employment, education: neg(t.domainRank.education), health: neg(t.domainRank.health),
    crime: neg(t.domainRank.crime), barriers: neg(t.domainRank.housing_barriers), environment: neg(t.domainRank.living_environment),
  };
  const sc = domainScores(w);
  console.log(`Spearman with the published domain: ${DOMAINS.map((d) => `${d} ${spearman(sc[d], pub[d]!).toFixed(3)}`).join(', ')}`);
  console.log(`Spearman of the index with the IMD rank: ${spearman(deprivationIndex(w), neg(t.imdRank)).toFixed(3)}`);
  const worst = [...areas].sort((a, b) => Math.abs(b.povertyRate - b.povertyTarget) - Math.abs(a.povertyRate - a.povertyTarget)).slice(0, 5);
  console.log('largest poverty errors:');
  for (const a of worst) {
    console.log(`  ${a.code} ${a.name}: ${a.households} households, poverty ${(100 * a.povertyRate).toFixed(1)}% vs ${(100 * a.povertyTarget).toFixed(1)}%`);
  }
}
