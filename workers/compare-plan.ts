/**
 * The pure part of a comparison (see workers/compare.ts): planning the paired runs
 * (`planComparison`), collecting their results (`collectRuns`) and aggregating them (`aggregate`).
 * It imports no Node module, so the browser lab plans and aggregates its runs with the same code
 * as `regensim compare`; running the tasks is the host's business (a worker pool in Node, Web
 * Workers in the browser).
 */
import { ConfigError, validateScenario } from '../sim/config/load.ts';
import type { PolicyKind, ScenarioConfig } from '../sim/config/schema.ts';
import { evaluate, meanInterval, type Evaluation } from '../sim/metrics/evaluation.ts';
import { boundaryRuleOf } from '../sim/policies/index.ts';
import { trackingKey } from '../sim/simulation.ts';
import { REGIONS, VIEWS, type MetricValues, type RunResult } from '../sim/types.ts';
import type { RunTask, RunTaskResult } from './api.ts';

/** Blocks averaged in `final`: every region and people view, and the programme reporters. */
export const FINAL_BLOCKS = [...REGIONS, ...VIEWS, 'outputs', 'spending', 'churn'] as const;
/** Blocks averaged in `final` when the runs report them: the index-switch report of `policy.compareBoundary`. */
export const OPTIONAL_BLOCKS = ['boundaries'] as const;
/**
 * Blocks whose paired difference is reported in `vsNone`. Outputs and spending are left out: the
 * counterfactual has none, so "policy minus none" would only repeat the policy's own figures.
 */
export const PAIRED_BLOCKS = [...REGIONS, ...VIEWS, 'churn'] as const;
/** Metrics whose variance with and without pairing is reported in `pairing`. */
export const PAIRING_METRICS = ['target.povertyRate', 'ring.povertyRate', 'ring.firms', 'originalResidents.povertyRate'] as const;
export const PAIRING_LABELS: Record<(typeof PAIRING_METRICS)[number], string> = {
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
  /** The runs to make; a run of "none" may follow other rules' regions too (`RunTask.track`). */
  tasks: RunTask[];
  /**
   * The comparison's results: each is a task's own run (`tracked` −1) or the configuration that
   * task tracks at index `tracked`.
   */
  outputs: { task: number; tracked: number }[];
  /** Per policy, per seed (in `seeds` order): index into `outputs` of its run and of its counterfactual. */
  runs: Record<string, { policy: number[]; counterfactual: number[] }>;
  /** What each output is, for messages and exports: "place-based, seed 3" or "none (counterfactual of …), seed 3". */
  labels: string[];
}

export interface PlanOptions {
  /**
   * One run of "none" per seed for every counterfactual, following each rule's regions (default
   * true); false plans a run per distinct counterfactual. The results are the same either way.
   */
  shareCounterfactuals?: boolean;
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
 * counterfactual), and the counterfactuals of a seed that differ only in their rule are one run
 * of "none" that follows every rule's regions (see `PlanOptions`).
 */
export function planComparison(
  config: ScenarioConfig,
  kinds: readonly string[],
  seeds: readonly number[],
  years: number,
  options: PlanOptions = {},
): ComparePlan {
  // First the distinct results wanted (configuration and seed), then the runs that give them.
  const wanted: { config: ScenarioConfig; seed: number; label: string }[] = [];
  const byKey = new Map<string, number>();
  const add = (cfg: ScenarioConfig, seed: number, label: string): number => {
    const key = `${canonical(cfg)}#${seed}`;
    const known = byKey.get(key);
    if (known !== undefined) return known;
    wanted.push({ config: cfg, seed, label: `${label}, seed ${seed}` });
    byKey.set(key, wanted.length - 1);
    return wanted.length - 1;
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
  // Results of one seed go out together: a worker that has just spun up a seed's city reuses it
  // for the next run of the same seed (workers/api.ts), so the spin-up is paid about once a worker.
  const order = wanted.map((_, i) => i).sort((a, b) => wanted[a]!.seed - wanted[b]!.seed || a - b);
  const moved = new Array<number>(wanted.length);
  order.forEach((old, i) => (moved[old] = i));
  for (const r of Object.values(runs)) {
    r.policy = r.policy.map((i) => moved[i]!);
    r.counterfactual = r.counterfactual.map((i) => moved[i]!);
  }
  const tasks: RunTask[] = [];
  const outputs: ComparePlan['outputs'] = [];
  // A run of "none" stands for every other "none" of its seed that differs only in its rule.
  const primary = new Map<string, number>();
  for (const w of order.map((i) => wanted[i]!)) {
    const key = `${trackingKey(w.config)}#${w.seed}`;
    const t = w.config.policy.kind === 'none' && options.shareCounterfactuals !== false ? primary.get(key) : undefined;
    if (t === undefined) {
      if (w.config.policy.kind === 'none') primary.set(key, tasks.length);
      // A comparison reads each result's final frame and the programme's last year (`did`) only.
      tasks.push({ id: w.label, config: w.config, seed: w.seed, years, frameYears: [] });
      outputs.push({ task: tasks.length - 1, tracked: -1 });
    } else {
      const task = tasks[t]!;
      task.track = [...(task.track ?? []), w.config];
      outputs.push({ task: t, tracked: task.track.length - 1 });
    }
  }
  return { tasks, outputs, runs, labels: order.map((i) => wanted[i]!.label) };
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
export function failure(plan: ComparePlan, index: number, message: string): Error {
  const task = plan.tasks[index];
  const what = task ? `${task.id}${task.track?.length ? ` (following ${task.track.length} more rule${task.track.length > 1 ? 's' : ''})` : ''}` : `task ${index}`;
  return configErrorOf(message, ` (in the run of ${what})`) ?? new CompareRunError(`the run of ${what} failed: ${message}`);
}

/**
 * A run's error message as the user's configuration error when the engine named a policy field
 * (`policy.boundary.cells: …`: a rule that selects nothing, a hub on a closed school), with `where`
 * after it; else undefined (an internal failure).
 */
export function configErrorOf(message: string, where = ''): ConfigError | undefined {
  return /^policy\.[\w.]*:/.test(message) ? new ConfigError(`${message}${where}`, message.slice(0, message.indexOf(':'))) : undefined;
}

/** The results of the plan's outputs (from the tasks' results, in task order), or the error of the first failure. */
export function collectRuns(plan: ComparePlan, results: readonly RunTaskResult[]): RunResult[] {
  return plan.outputs.map(({ task, tracked }) => {
    const r = results[task];
    const result = tracked < 0 ? r?.result : r?.tracked?.[tracked];
    if (result) return result;
    throw failure(plan, task, r?.error ?? 'no result came back');
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
  for (const block of [...FINAL_BLOCKS, ...OPTIONAL_BLOCKS]) {
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

/** Aggregates the runs of a plan (its outputs, from `collectRuns`) into the comparison. */
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
