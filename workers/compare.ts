/**
 * `regensim compare`: every selected policy against its paired counterfactual over N seeds
 * (MODEL.md §5 "Displacement", §6 "Paired comparisons").
 *
 * Pairing: a policy P runs with seed s, and so does its counterfactual: the same scenario with
 * `policy.kind = 'none'` and `policy.boundary` set to the rule P resolves to, so that both runs
 * draw the same target, ring, comparison areas and original residents. Because every subsystem
 * draws from its own random stream, the difference of the two runs is the policy's effect and not
 * the noise of a different city; `pairing` reports how much that shrinks the variance of a
 * difference against pairing each policy run with another seed's counterfactual.
 *
 * Equal budget: every policy gets the scenario's `policy.budgetPerYear` for its
 * `policy.durationYears`, so the columns compare ways of spending the same money.
 *
 * The module plans the runs (`planComparison`, in compare-plan.ts with the rest of the pure part),
 * runs them on a worker pool (`runComparison`),
 * aggregates them (`aggregate`) and prints the readable table (`formatComparison`). It never
 * writes to stdout itself: the CLI prints only once everything has succeeded.
 */
import type { ScenarioConfig } from '../sim/config/schema.ts';
import { INDICATORS } from '../sim/metrics/evaluation.ts';
import { isMoney, isRate } from '../sim/metrics/units.ts';
import {
  CompareRunError,
  PAIRING_LABELS,
  PAIRING_METRICS,
  aggregate,
  collectRuns,
  failure,
  planComparison,
  type Comparison,
  type Interval,
  type PolicyComparison,
} from './compare-plan.ts';
import { createPool, type RunTaskResult } from './pool.ts';

export * from './compare-plan.ts';

export interface CompareOptions {
  /** Policy kinds, each implemented (checked by the caller). */
  policies: readonly string[];
  seeds: readonly number[];
  years: number;
  /** Pool size; the pool's default when omitted. */
  workers?: number;
  /** Called as each run finishes, in completion order. */
  onProgress?: (done: number, total: number) => void;
}

/** Plans, runs (on a worker pool, closed before returning) and aggregates a comparison. */
export async function runComparison(config: ScenarioConfig, opts: CompareOptions): Promise<Comparison> {
  const plan = planComparison(config, opts.policies, opts.seeds, opts.years);
  const index = new Map(plan.tasks.map((t, i) => [t.id, i]));
  const pool = createPool(opts.workers);
  let results: RunTaskResult[] = [];
  let failed: RunTaskResult | undefined;
  try {
    results = await pool.runAll(plan.tasks, (r, done, total) => {
      if (r.error !== undefined) {
        // One failure fails the comparison: throwing here ends the batch, and closing the pool
        // stops the runs still going instead of waiting for results nobody will print.
        failed = r;
        throw new CompareRunError(r.error);
      }
      opts.onProgress?.(done, total);
    });
  } catch (err) {
    if (!failed) throw err;
  } finally {
    await pool.close();
  }
  if (failed) throw failure(plan, index.get(failed.id) ?? -1, failed.error!);
  return aggregate(config, plan, collectRuns(plan, results), opts.seeds, opts.years);
}

// ---------------------------------------------------------------------------------------------
// readable output

const groupThousands = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const MISSING = '–';

/** A leading + on positive values; a value that rounds to zero shows no sign. */
function signed(text: string, v: number): string {
  if (/^-?[£]?0(\.0*)?$/.test(text)) return text.replace('-', '');
  return v > 0 ? `+${text}` : text;
}

/** A level: rates as %, money as whole £, whole counts grouped, other values with a decimal or two. */
function level(name: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return MISSING;
  if (isRate(name)) return `${(v * 100).toFixed(1)}%`;
  const abs = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (isMoney(name)) return `${sign}£${groupThousands(Math.round(abs).toString())}`;
  if (Number.isInteger(v) || abs >= 100) return `${sign}${groupThousands(Math.round(abs).toString())}`;
  return `${sign}${abs.toFixed(abs >= 10 ? 1 : 2)}`;
}

/** Decimals for a group of differences shown together, chosen by the largest of them. */
function decimalsFor(values: readonly number[]): number {
  const top = Math.max(...values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return top >= 100 ? 0 : top >= 1 ? 1 : 3;
}

/** A difference: rates in percentage points, money in £, other values with `digits` decimals. */
function difference(name: string, v: number, digits: number): string {
  if (!Number.isFinite(v)) return MISSING;
  if (isRate(name)) return signed((v * 100).toFixed(1), v);
  if (isMoney(name)) return signed(`${v < 0 ? '-' : ''}£${groupThousands(Math.round(Math.abs(v)).toString())}`, v);
  return signed(v.toFixed(digits), v);
}

/** "mean (lo–hi)", the three with the same decimals. */
function withInterval(name: string, iv: { mean: number; lo: number; hi: number }): string {
  const d = decimalsFor([iv.mean, iv.lo, iv.hi]);
  return `${difference(name, iv.mean, d)} (${difference(name, iv.lo, d)}–${difference(name, iv.hi, d)})`;
}

function intervalCell(name: string, iv: Interval | undefined): string {
  if (!iv) return MISSING;
  // A policy paired with itself (none) differs by exactly nothing.
  if (iv.mean === 0 && iv.lo === 0 && iv.hi === 0) return '0';
  return withInterval(name, iv);
}

const metricOf = (key: string) => key.slice(key.indexOf('.') + 1);

interface Row {
  label: string;
  cell(p: PolicyComparison): string;
}
type Line = Row | { section: string };

const paired = (label: string, key: string): Row => ({
  label,
  cell: (p) => intervalCell(metricOf(key), p.vsNone[key]),
});
const mean = (label: string, block: string, metric: string): Row => ({
  label,
  cell: (p) => level(metric, p.final[block]?.[metric]),
});
/** Two means in one cell, "a / b". */
const pair = (label: string, a: [string, string], b: [string, string]): Row => ({
  label,
  cell: (p) => {
    const x = p.final[a[0]]?.[a[1]];
    const y = p.final[b[0]]?.[b[1]];
    return x === undefined && y === undefined ? MISSING : `${level(a[1], x)} / ${level(b[1], y)}`;
  },
});

const LINES: Line[] = [
  { section: 'Paired difference vs none: mean (95% interval); rates in percentage points' },
  paired('target poverty', 'target.povertyRate'),
  paired('target unemployment', 'target.unemploymentRate'),
  // Unemployed or sick, over working age: England's employment deprivation, the NDC's worklessness.
  paired('target out of work', 'target.outOfWorkRate'),
  paired('ring poverty', 'ring.povertyRate'),
  paired('ring unemployment', 'ring.unemploymentRate'),
  paired('ring firms', 'ring.firms'),
  paired('city poverty', 'city.povertyRate'),
  paired('city unemployment', 'city.unemploymentRate'),
  paired('city forced moves', 'city.forcedMoves'),
  // Where the households that moved out of the target went: the displacement the study looks
  // for in the ring, and the part of it that leaves the city and is seen nowhere.
  paired('moved out to the ring', 'churn.outMoversToRing'),
  paired('forced out of target', 'churn.forcedOutMovers'),
  paired('… to the ring', 'churn.forcedToRing'),
  paired('… out of the city', 'churn.forcedLeftCity'),
  // The ring's poverty effect split: its residents of the start who still live there, and the rest
  // (who moved in and out).
  paired('ring poverty: its residents', 'churn.ringPeopleChange'),
  paired('… who moved', 'churn.ringCompositionChange'),
  paired('orig. residents poverty', 'originalResidents.povertyRate'),
  paired('orig. residents out of work', 'originalResidents.outOfWorkRate'),
  // Skills and schooling, people or place: the original residents and their children wherever they
  // live, beside the children who live in the target now.
  paired('orig. residents skill', 'originalResidents.meanSkill'),
  paired('orig. res. child attainment', 'originalResidents.childAttainment'),
  paired('target child attainment', 'target.childAttainment'),
  paired('stayers poverty', 'stayers.povertyRate'),
  paired('leavers poverty', 'leavers.povertyRate'),
  { section: 'Means over seeds (policy runs)' },
  mean('target poverty', 'target', 'povertyRate'),
  mean('orig. residents poverty', 'originalResidents', 'povertyRate'),
  pair('stayers / leavers (hh)', ['stayers', 'households'], ['leavers', 'households']),
  pair('stayers / leavers poverty', ['stayers', 'povertyRate'], ['leavers', 'povertyRate']),
  mean('left after exiting poverty', 'churn', 'exitedPovertyLeftShare'),
  pair('in- / out-mover poverty', ['churn', 'inMoverPovertyRate'], ['churn', 'outMoverPovertyRate']),
  mean('composition share of chg', 'churn', 'compositionShareOfChange'),
  pair('jobs created / relocated', ['outputs', 'jobsCreated'], ['outputs', 'jobsRelocated']),
  mean('floorspace', 'outputs', 'floorspace'),
  pair('homes built / refurbished', ['outputs', 'homesBuilt'], ['outputs', 'homesRefurbished']),
  mean('spending', 'spending', 'total'),
  mean('physical share', 'spending', 'physicalShare'),
  { section: 'Pairing: variance of the difference, paired / unpaired (below 1: pairing helps)' },
  ...PAIRING_METRICS.map((key): Row => ({
    label: PAIRING_LABELS[key],
    cell: (p) => {
      const r = p.pairing[key];
      if (r?.ratio == null) return MISSING;
      // Pairing can shrink a variance a thousandfold: small ratios keep two significant digits.
      return r.ratio === 0 ? '0' : r.ratio >= 0.1 ? r.ratio.toFixed(2) : r.ratio.toPrecision(2);
    },
  })),
];

const WIDTH = 120;
const GAP = '  ';

/**
 * A table with a label column and one column per policy. When the columns do not fit in WIDTH,
 * they are split into panels that each repeat the label column.
 */
function panels(kinds: string[], label: string, lines: { section?: string; label?: string; cells?: string[] }[]): string {
  const labelWidth = Math.max(label.length, ...lines.map((l) => l.label?.length ?? 0));
  const colWidth = kinds.map((k, j) => Math.max(k.length, ...lines.map((l) => l.cells?.[j]?.length ?? 0)));
  const groups: number[][] = [];
  let cur: number[] = [];
  let used = 2 + labelWidth;
  kinds.forEach((_, j) => {
    const w = GAP.length + colWidth[j]!;
    if (cur.length && used + w > WIDTH) {
      groups.push(cur);
      cur = [];
      used = 2 + labelWidth;
    }
    cur.push(j);
    used += w;
  });
  if (cur.length) groups.push(cur);
  return groups
    .map((cols) => {
      const row = (first: string, cells: string[]) =>
        `  ${first.padEnd(labelWidth)}${cols.map((j) => GAP + cells[j]!.padStart(colWidth[j]!)).join('')}`.trimEnd();
      return [
        row(label, kinds),
        ...lines.map((l) => (l.section !== undefined ? `  ${l.section}` : row(l.label!, l.cells!))),
      ].join('\n');
    })
    .join('\n\n');
}

/** Indicator differences in differences: rates in points, income in £, indices with three decimals. */
function didCell(name: string, row: { did: number; lo: number; hi: number; better: boolean; significant: boolean }): string {
  const mark = row.significant ? ' +*' : row.better ? ' + ' : '   ';
  return `${withInterval(name, { mean: row.did, lo: row.lo, hi: row.hi })}${mark}`;
}

const money = (v: number) => `£${groupThousands(Math.round(v).toString())}`;

/** The readable report of a comparison. */
export function formatComparison(c: Comparison, startYear?: number): string {
  const kinds = Object.keys(c.policies);
  const seeds = c.seeds.length > 1 ? `${c.seeds.length} seeds (${c.seeds[0]}–${c.seeds.at(-1)})` : `seed ${c.seeds[0]}`;
  const from = startYear !== undefined ? ` from year ${startYear}` : '';
  // A run that stops before the programme ends sees only part of it: say how much was spent by then.
  const seen = startYear !== undefined ? Math.max(0, Math.min(c.budget.years, c.years - startYear)) : c.budget.years;
  const cut = seen < c.budget.years
    ? [`The runs stop at year ${c.years}, ${seen} of those years in (${money(c.budget.perYear * seen)}): the effects are mid-programme.`]
    : [];
  const out: string[] = [
    `Comparison: scenario ${c.scenario}, ${seeds}, ${c.years} years`,
    `Equal budget: every policy spends ${money(c.budget.perYear)} a year for ${c.budget.years} years${from} ` +
      `(${money(c.budget.perYear * c.budget.years)}).`,
    ...cut,
    'Each policy run is paired with the run without it: same seed, same target, ring and comparison areas.',
    '',
    panels(
      kinds,
      'policy',
      LINES.map((l) => ('section' in l ? { section: l.section } : { label: l.label, cells: kinds.map((k) => l.cell(c.policies[k]!)) })),
    ),
    '',
  ];
  // The index-switch report (policy.compareBoundary): the same for every policy drawing the same rule.
  const switched = kinds.filter((k) => c.policies[k]!.final.boundaries);
  if (switched.length) {
    out.push('Boundaries: each policy\'s target rule against policy.compareBoundary (means over seeds)');
    const w = Math.max(...switched.map((k) => k.length));
    for (const k of switched) {
      const b = c.policies[k]!.final.boundaries!;
      out.push(
        `  ${k.padEnd(w)}  target overlap ${level('', b.targetOverlap)}, deprived units changing status ${level('', b.unitsChangingStatus)} ` +
          `of ${level('', b.deprivedUnits)}, change of those in the north and middle thirds ${signed(`${((b.northMiddleChange ?? 0) * 100).toFixed(1)}%`, b.northMiddleChange ?? 0)}`,
      );
    }
    out.push('');
  }
  out.push(
    'Evaluation (NDC-style): change in the target minus change in the comparison areas, start to end',
    'of the programme, over seeds; + better, * significant (95% interval excludes 0).',
  );
  const width = Math.max(...kinds.map((k) => k.length));
  for (const k of kinds) {
    const e = c.policies[k]!.evaluation;
    out.push(`  ${k.padEnd(width)}  ${e ? `better on ${e.better} of ${e.total}, ${e.significant} significant` : 'no target: not evaluated'}`);
  }
  const evaluated = kinds.filter((k) => c.policies[k]!.evaluation);
  if (evaluated.length) {
    out.push(
      '',
      panels(
        evaluated,
        'indicator',
        INDICATORS.map((ind) => ({
          label: `${ind.name} (${ind.domain})`,
          cells: evaluated.map((k) => {
            const row = c.policies[k]!.evaluation!.indicators.find((r) => r.name === ind.name);
            return row ? didCell(ind.name, row) : MISSING;
          }),
        })),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
