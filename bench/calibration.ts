/**
 * `npm run calibration`: the baseline city's figures against the plausibility ranges of
 * MODEL.md §7, as means over seeds with 95% intervals (t-based). The figures quoted in
 * docs/ODD.md §9 come from this script.
 *
 *   npm run calibration -- [--seeds 10] [--years 25] [--set path=value]... [--json]
 *
 * Below the table, diagnostics of where the unemployed and the sick live (`unemploymentDiagnostics`):
 * what bounds the out-of-work rate of the most deprived tenth of cells.
 *
 * `--set` tries a change of the baseline's parameters (validated like the CLI's) before it is
 * made a default.
 */
import { parseArgs } from 'node:util';
import { applySet, splitSet, validateScenario } from '../sim/config/load.ts';
import { createSimulation } from '../sim/simulation.ts';
import { deprivationIndex, mostDeprived } from '../sim/metrics/deprivation.ts';
import type { YearFrame } from '../sim/types.ts';
import type { World } from '../sim/world.ts';
import { SOCIAL } from '../sim/world.ts';
import { meanInterval } from '../sim/metrics/evaluation.ts';

export { meanInterval };

/**
 * Plausibility ranges (MODEL.md §7, last paragraph). The 15–25% "in the most deprived cells" is
 * compared with the share of working-age heads out of work, unemployed or sick, in the most
 * deprived tenth: what England's employment deprivation counts there (claimants of unemployment
 * and of incapacity benefits over the working-age population); the ILO unemployment of that tenth
 * (`deprivedUnemploymentRate`) is reported beside it (docs/ODD.md §9).
 */
export const RANGES: Record<string, [number, number]> = {
  povertyRate: [0.18, 0.22],
  unemploymentRate: [0.05, 0.08],
  deprivedOutOfWorkRate: [0.15, 0.25],
  mobilityRate: [0.1, 0.15],
  dissimilarity: [0.3, 0.4],
  deprivedPersistence5y: [0.5, 1],
};
const REPORTED = [...Object.keys(RANGES), 'deprivedUnemploymentRate', 'outOfWorkRate', 'gini', 'moransI', 'lisaHotspots', 'concentratedPovertyShare', 'households', 'medianIncome', 'meanRent'];

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
  const diag: Record<string, number[]> = {};
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    // runScenario's loop, with a look at the city after each year for the diagnostics.
    const sim = createSimulation(config, { seed });
    for (let y = 0; y < years; y++) {
      sim.step(4);
      const d = unemploymentDiagnostics(sim.world);
      for (const [k, v] of Object.entries(d)) (diag[k] ??= []).push(v);
    }
    for (const m of REPORTED) per[m]!.push(runMean(sim.series as YearFrame[], m, 1));
    process.stderr.write(`seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const rows = REPORTED.map((m) => ({ metric: m, ...meanInterval(per[m]!), range: RANGES[m] ?? null }));
  console.log(`baseline, ${seeds} seeds × ${years} years; each seed's mean over years 1–${years}`);
  for (const r of rows) {
    const inRange = r.range ? (r.mean >= r.range[0] && r.mean <= r.range[1] ? 'in range' : 'OUT of range') : '';
    const range = r.range ? `[${r.range[0]}, ${r.range[1]}]` : '';
    console.log(`${r.metric.padEnd(26)} ${r.mean.toFixed(3).padStart(10)}  (${r.lo.toFixed(3)} – ${r.hi.toFixed(3)})  ${range.padEnd(12)} ${inRange}`);
  }
  console.log('where the unemployed and the sick live (mean over seeds and years 1–' + years + ')');
  for (const [k, v] of Object.entries(diag)) console.log(`  ${k.padEnd(46)} ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3).padStart(8)}`);
  if (values.json) console.log(JSON.stringify({ seeds, years, rows }));
  return 0;
}

/**
 * Where the unemployed and the sick live, from the city's stores: the unemployment of the tenth of
 * cells with the most unemployment (the most any choice of a tenth of cells could show), of the
 * most deprived tenth (as the reporter chooses it), by fifth of the skill scale; the share of the
 * labour force in the lowest two fifths of skill in the deprived tenth and in the city (how
 * strongly the low-skilled sort into the deprived cells); and for the sick (out of work through ill
 * health, `households.sick`): their share of the working-age heads, mean working-age health, the social
 * tenants' share of the working-age heads, and the share out of work by tenure — in the deprived
 * tenth and in the city. Unemployment here is the ILO rate (the sick are outside the labour force).
 */
export function unemploymentDiagnostics(w: World): Record<string, number> {
  const c = w.cells;
  const h = w.households;
  const n = c.n;
  const deprived = mostDeprived(deprivationIndex(w), c.households, 0.1);
  const order = Array.from({ length: n }, (_, k) => k)
    .filter((k) => c.labourForce[k]! > 0)
    .sort((a, b) => c.unemployed[b]! / c.labourForce[b]! - c.unemployed[a]! / c.labourForce[a]! || a - b);
  const housed = c.households.reduce((a, b) => a + b, 0);
  let lfTop = 0, unTop = 0, households = 0;
  for (const k of order) {
    if (households >= 0.1 * housed) break;
    households += c.households[k]!;
    lfTop += c.labourForce[k]!;
    unTop += c.unemployed[k]!;
  }
  const bySkill = [0, 0, 0, 0, 0].map(() => [0, 0]);
  let lowCity = 0, lfCity = 0, lowDeprived = 0, lfDeprived = 0;
  // Working-age heads [city, deprived tenth]: all, sick, health sum, social tenants, and out of
  // work among social tenants and among the others.
  const wa = [0, 0], sick = [0, 0], health = [0, 0], social = [0, 0], socialOut = [0, 0], otherOut = [0, 0];
  const retire = w.config.labour.retirementAge;
  for (let s = 0; s < h.count; s++) {
    const k = h.cell[s]!;
    if (!h.alive[s] || k < 0 || h.age[s]! >= retire) continue;
    const out = h.employer[s]! < 0 ? 1 : 0;
    const isSick = h.sick[s]!;
    const isSocial = h.tenure[s] === SOCIAL ? 1 : 0;
    for (let g = 0; g < (deprived[k] ? 2 : 1); g++) {
      wa[g]!++;
      sick[g]! += isSick;
      health[g]! += h.health[s]!;
      social[g]! += isSocial;
      if (isSocial) socialOut[g]! += out;
      else otherOut[g]! += out;
    }
    if (isSick) continue;
    const q = Math.min(4, Math.floor(h.skill[s]! * 5));
    bySkill[q]![0]!++;
    if (out) bySkill[q]![1]!++;
    const low = q < 2 ? 1 : 0;
    lfCity++;
    lowCity += low;
    if (deprived[k]) {
      lfDeprived++;
      lowDeprived += low;
    }
  }
  const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
  const out: Record<string, number> = { 'unemployment, tenth of cells with the most': div(unTop, lfTop) };
  bySkill.forEach(([lf, un], q) => (out[`unemployment, skill ${q / 5}–${(q + 1) / 5}`] = div(un!, lf!)));
  out['labour force with skill < 0.4, deprived tenth'] = div(lowDeprived, lfDeprived);
  out['labour force with skill < 0.4, city'] = div(lowCity, lfCity);
  ['city', 'deprived tenth'].forEach((name, g) => {
    out[`sick, share of working age, ${name}`] = div(sick[g]!, wa[g]!);
    out[`mean health of working age, ${name}`] = div(health[g]!, wa[g]!);
    out[`social tenants, share of working age, ${name}`] = div(social[g]!, wa[g]!);
    out[`out of work, social tenants, ${name}`] = div(socialOut[g]!, social[g]!);
    out[`out of work, other tenures, ${name}`] = div(otherOut[g]!, wa[g]! - social[g]!);
  });
  return out;
}
