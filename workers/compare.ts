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
 * The module plans the runs (`planComparison`), runs them on a worker pool (`runComparison`),
 * aggregates them (`aggregate`) and prints the readable table (`formatComparison`). It never
 * writes to stdout itself: the CLI prints only once everything has succeeded.
 */
import { ConfigError, validateScenario } from '../sim/config/load.ts';
import type { PolicyKind, ScenarioConfig } from '../sim/config/schema.ts';
import { INDICATORS, evaluate, meanInterval, type Evaluation } from '../sim/metrics/evaluation.ts';
import { boundaryRuleOf } from '../sim/policies/index.ts';
import { REGIONS, VIEWS, type MetricValues, type RunResult } from '../sim/types.ts';
import { createPool, type RunTask, type RunTaskResult } from './pool.ts';

/** Blocks averaged in `final`: every region and people view, and the programme reporters. */
export const FINAL_BLOCKS = [...REGIONS, ...VIEWS, 'outputs', 'spending', 'churn'] as const;
/**
 * Blocks whose paired difference is reported in `vsNone`. Outputs and spending are left out: the
 * counterfactual has none, so "policy minus none" would only repeat the policy's own figures.
 */
export const PAIRED_BLOCKS = [...REGIONS, ...VIEWS, 'churn'] as const;
/** Metrics whose variance with and without pairing is reported in `pairing`. */
export const PAIRING_METRICS = ['target.povertyRate', 'ring.povertyRate', 'ring.firms', 'originalResidents.povertyRate'] as const;
const PAIRING_LABELS: Record<(typeof PAIRING_METRICS)[number], string> = {
  'target.povertyRate': 'target poverty',
  'ring.povertyRate': 'ring poverty',
  'ring.firms': 'ring firms',
  'originalResidents.povertyRate': 'orig. residents poverty',
};

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

/** Variance of a difference across seeds, paired (same seed) and unpaired (next seed's counterfactual). */
export interface PairingRow {
  pairedVariance: number | null;
  unpairedVariance: number | null;
  /** pairedVariance / unpairedVariance: below 1 when pairing helps (null when undefined). */
  ratio: number | null;
}

export interface PolicyComparison {
  /** Block → metric → mean over seeds of the policy's runs. */
  final: Record<string, MetricValues>;
  /** "<block>.<metric>" → mean and 95% interval over seeds of (policy run − its counterfactual). */
  vsNone: Record<string, Interval>;
  /** Difference in differences of the policy's runs against their comparison areas (null without a target). */
  evaluation: Evaluation | null;
  pairing: Record<string, PairingRow>;
}

/** The JSON of `regensim compare --json` (INTERFACE.md, plus `budget` and `pairing`). */
export interface Comparison {
  version: string;
  scenario: string;
  seeds: number[];
  years: number;
  budget: { perYear: number; years: number };
  policies: Record<string, PolicyComparison>;
}

export interface ComparePlan {
  tasks: RunTask[];
  /** Per policy, per seed (in `seeds` order): index into `tasks` of its run and of its counterfactual. */
  runs: Record<string, { policy: number[]; counterfactual: number[] }>;
  /** What each task is, for messages: "place-based, seed 3" or "none (counterfactual of …), seed 3". */
  labels: string[];
}

/** JSON with object keys sorted, so that two equal configurations give the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The runs of a comparison. Each policy's own run also carries its resolved boundary explicitly:
 * it draws the same target as without it, and the policy run and its counterfactual then differ
 * only in `policy.kind`, which is what makes `none` paired with itself one shared run. Runs with
 * the same configuration and seed are planned once (policies with the same rule share their
 * counterfactual).
 */
export function planComparison(config: ScenarioConfig, kinds: readonly string[], seeds: readonly number[], years: number): ComparePlan {
  const tasks: RunTask[] = [];
  const labels: string[] = [];
  const byKey = new Map<string, number>();
  const add = (cfg: ScenarioConfig, seed: number, label: string): number => {
    const key = `${canonical(cfg)}#${seed}`;
    const known = byKey.get(key);
    if (known !== undefined) return known;
    tasks.push({ id: `${label}, seed ${seed}`, config: cfg, seed, years });
    labels.push(`${label}, seed ${seed}`);
    byKey.set(key, tasks.length - 1);
    return tasks.length - 1;
  };
  const runs: ComparePlan['runs'] = {};
  for (const kind of kinds) {
    const own: ScenarioConfig = { ...config, policy: { ...config.policy, kind: kind as PolicyKind } };
    const rule = boundaryRuleOf(own);
    // A kind without a target (rule null) leaves the counterfactual to `none`'s default target;
    // then only the city-wide blocks are shared by both runs and compared.
    const withRule = (cfg: ScenarioConfig): ScenarioConfig =>
      rule ? { ...cfg, policy: { ...cfg.policy, boundary: rule as NonNullable<ScenarioConfig['policy']['boundary']> } } : cfg;
    // Validated here, in this thread, so that a bad resolved configuration is reported before any
    // worker starts; validation fills defaults and is idempotent, so the runs are unchanged.
    const policyConfig = validateScenario(withRule(own), `${config.name} with policy ${kind}`);
    const counterConfig = validateScenario(
      withRule({ ...config, policy: { ...config.policy, kind: 'none' } }),
      `${config.name}, counterfactual of policy ${kind}`,
    );
    runs[kind] = {
      policy: seeds.map((s) => add(policyConfig, s, kind)),
      counterfactual: seeds.map((s) => add(counterConfig, s, `none (counterfactual of ${kind})`)),
    };
  }
  // Runs of one seed go out together: a worker that has just spun up a seed's city reuses it for
  // the next run of the same seed (workers/api.ts), so the spin-up is paid about once a worker.
  const order = tasks.map((_, i) => i).sort((a, b) => tasks[a]!.seed - tasks[b]!.seed || a - b);
  const moved = new Array<number>(tasks.length);
  order.forEach((old, i) => (moved[old] = i));
  for (const r of Object.values(runs)) {
    r.policy = r.policy.map((i) => moved[i]!);
    r.counterfactual = r.counterfactual.map((i) => moved[i]!);
  }
  return { tasks: order.map((i) => tasks[i]!), runs, labels: order.map((i) => labels[i]!) };
}

/** A run of the comparison failed for a reason other than the scenario's policy configuration. */
export class CompareRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareRunError';
  }
}

/**
 * The error for a failed task. The engine's boundary code throws RangeErrors naming the field
 * (`policy.boundary.cells: …`): those are the user's configuration (a rule that selects nothing)
 * and become ConfigErrors; anything else is a CompareRunError.
 */
function failure(plan: ComparePlan, index: number, message: string): Error {
  const what = plan.labels[index] ?? plan.tasks[index]?.id ?? `task ${index}`;
  if (/^policy\.[\w.]*:/.test(message)) {
    return new ConfigError(`${message} (in the run of ${what})`, message.slice(0, message.indexOf(':')));
  }
  return new CompareRunError(`the run of ${what} failed: ${message}`);
}

/** The results as runs, or the error of the first failure in task order. */
export function collectRuns(plan: ComparePlan, results: readonly RunTaskResult[]): RunResult[] {
  return plan.tasks.map((_, i) => {
    const r = results[i];
    if (r?.result) return r.result;
    throw failure(plan, i, r?.error ?? 'no result came back');
  });
}

type Block = Record<string, number> | undefined;
const blockOf = (r: RunResult, name: string): Block => (r.final as Record<string, Block>)[name];

function valueAt(r: RunResult, key: string): number | undefined {
  const dot = key.indexOf('.');
  const v = blockOf(r, key.slice(0, dot))?.[key.slice(dot + 1)];
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** Sample variance (n − 1); null below two values. */
function variance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
}

/** Metric names of a block, in the order the runs report them (first seen first). */
function metricNames(runs: readonly RunResult[], block: string): string[] {
  const names = new Set<string>();
  for (const r of runs) for (const k of Object.keys(blockOf(r, block) ?? {})) names.add(k);
  return [...names];
}

function aggregatePolicy(own: RunResult[], counter: RunResult[]): PolicyComparison {
  // Means over the seeds that report a value: a block exists only once a target is drawn.
  const final: Record<string, MetricValues> = {};
  for (const block of FINAL_BLOCKS) {
    const names = metricNames(own, block);
    if (!names.length) continue;
    const means: MetricValues = {};
    for (const m of names) {
      const xs = own.map((r) => valueAt(r, `${block}.${m}`)).filter((v): v is number => v !== undefined);
      if (xs.length) means[m] = xs.reduce((a, b) => a + b, 0) / xs.length;
    }
    final[block] = means;
  }

  const diffs = (key: string, shift: number): number[] => {
    const out: number[] = [];
    own.forEach((r, i) => {
      const a = valueAt(r, key);
      const b = valueAt(counter[(i + shift) % counter.length]!, key);
      if (a !== undefined && b !== undefined) out.push(a - b);
    });
    return out;
  };

  const vsNone: Record<string, Interval> = {};
  for (const block of PAIRED_BLOCKS) {
    const inCounter = new Set(metricNames(counter, block));
    for (const m of metricNames(own, block)) {
      if (!inCounter.has(m)) continue;
      const d = diffs(`${block}.${m}`, 0);
      if (d.length) vsNone[`${block}.${m}`] = meanInterval(d);
    }
  }

  const pairing: Record<string, PairingRow> = {};
  for (const key of PAIRING_METRICS) {
    const paired = variance(diffs(key, 0));
    const unpaired = variance(diffs(key, 1));
    pairing[key] = {
      pairedVariance: paired,
      unpairedVariance: unpaired,
      ratio: paired !== null && unpaired !== null && unpaired > 0 ? paired / unpaired : null,
    };
  }

  const did = own.map((r) => r.did).filter((d): d is Record<string, number> => d !== undefined);
  return { final, vsNone, evaluation: did.length ? evaluate(did) : null, pairing };
}

/** Aggregates the runs of a plan (in task order) into the comparison. */
export function aggregate(
  config: ScenarioConfig,
  plan: ComparePlan,
  runs: readonly RunResult[],
  seeds: readonly number[],
  years: number,
): Comparison {
  const policies: Record<string, PolicyComparison> = {};
  for (const [kind, idx] of Object.entries(plan.runs)) {
    policies[kind] = aggregatePolicy(
      idx.policy.map((i) => runs[i]!),
      idx.counterfactual.map((i) => runs[i]!),
    );
  }
  return {
    version: runs[0]?.version ?? '',
    scenario: config.name,
    seeds: [...seeds],
    years,
    budget: { perYear: config.policy.budgetPerYear, years: config.policy.durationYears },
    policies,
  };
}

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
const isRate = (name: string) => /(Rate|Share|Burden|ShareOfChange)$/.test(name) || name === 'turnover';
const isMoney = (name: string) => /(Income|Rent|Wage|Investment|total|physical|people)$/.test(name);
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
  paired('ring poverty', 'ring.povertyRate'),
  paired('ring unemployment', 'ring.unemploymentRate'),
  paired('ring firms', 'ring.firms'),
  paired('city poverty', 'city.povertyRate'),
  paired('city unemployment', 'city.unemploymentRate'),
  paired('city forced moves', 'city.forcedMoves'),
  paired('orig. residents poverty', 'originalResidents.povertyRate'),
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
  const out: string[] = [
    `Comparison: scenario ${c.scenario}, ${seeds}, ${c.years} years`,
    `Equal budget: every policy spends ${money(c.budget.perYear)} a year for ${c.budget.years} years${from} ` +
      `(${money(c.budget.perYear * c.budget.years)}).`,
    'Each policy run is paired with the run without it: same seed, same target, ring and comparison areas.',
    '',
    panels(
      kinds,
      'policy',
      LINES.map((l) => ('section' in l ? { section: l.section } : { label: l.label, cells: kinds.map((k) => l.cell(c.policies[k]!)) })),
    ),
    '',
    'Evaluation (NDC-style): change in the target minus change in the comparison areas, start to end',
    'of the programme, over seeds; + better, * significant (95% interval excludes 0).',
  ];
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
