/**
 * `npm run calibration`: the baseline city's figures against the plausibility ranges of
 * MODEL.md §7, as means over seeds with 95% intervals (t-based). The figures quoted in
 * docs/ODD.md §9 come from this script.
 *
 *   npm run calibration -- [--seeds 10] [--years 25] [--set path=value]... [--json]
 *
 * `--set` tries a change of the baseline's parameters (validated like the CLI's) before it is
 * made a default.
 */
import { parseArgs } from 'node:util';
import { applySet, splitSet, validateScenario } from '../sim/config/load.ts';
import { runScenario } from '../sim/simulation.ts';
import type { YearFrame } from '../sim/types.ts';
import { meanInterval } from '../sim/metrics/evaluation.ts';

export { meanInterval };

/** Plausibility ranges (MODEL.md §7, last paragraph). */
export const RANGES: Record<string, [number, number]> = {
  povertyRate: [0.18, 0.22],
  unemploymentRate: [0.05, 0.08],
  deprivedUnemploymentRate: [0.15, 0.25],
  mobilityRate: [0.1, 0.15],
  dissimilarity: [0.3, 0.4],
  deprivedPersistence5y: [0.5, 1],
};
const REPORTED = [...Object.keys(RANGES), 'gini', 'moransI', 'lisaHotspots', 'concentratedPovertyShare', 'households', 'medianIncome', 'meanRent'];

/** Mean of a city metric over the years of a run after a warm-up (year 0 is the generated state). */
function runMean(series: YearFrame[], metric: string, from: number): number {
  const vals = series.filter((f) => f.year >= from && f.city[metric] !== undefined).map((f) => f.city[metric]!);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '10' },
      years: { type: 'string', default: '25' },
      set: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  const seeds = Number(values.seeds);
  const years = Number(values.years);
  if (!Number.isInteger(seeds) || seeds < 2 || !Number.isInteger(years) || years < 6) {
    process.stderr.write('calibration: --seeds must be an integer ≥ 2 and --years an integer ≥ 6\n');
    return 2;
  }
  let input: object = { name: 'baseline' };
  for (const arg of values.set) input = applySet(input, ...splitSet(arg));
  const config = validateScenario(input, 'baseline');
  const per: Record<string, number[]> = Object.fromEntries(REPORTED.map((m) => [m, []]));
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    const r = runScenario(config, { seed, years });
    for (const m of REPORTED) per[m]!.push(runMean(r.series, m, 1));
    process.stderr.write(`seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const rows = REPORTED.map((m) => ({ metric: m, ...meanInterval(per[m]!), range: RANGES[m] ?? null }));
  console.log(`baseline, ${seeds} seeds × ${years} years; each seed's mean over years 1–${years}`);
  for (const r of rows) {
    const inRange = r.range ? (r.mean >= r.range[0] && r.mean <= r.range[1] ? 'in range' : 'OUT of range') : '';
    const range = r.range ? `[${r.range[0]}, ${r.range[1]}]` : '';
    console.log(`${r.metric.padEnd(26)} ${r.mean.toFixed(3).padStart(10)}  (${r.lo.toFixed(3)} – ${r.hi.toFixed(3)})  ${range.padEnd(12)} ${inRange}`);
  }
  if (values.json) console.log(JSON.stringify({ seeds, years, rows }));
  return 0;
}
