/**
 * The `regensim` command. `main(argv)` returns the exit code instead of exiting, so tests call it
 * directly and bin/regensim.js sets `process.exitCode` (letting pending output drain).
 *
 * Exit codes (INTERFACE.md): 0 success; 2 bad input (file, field, flag) with a one-paragraph
 * message naming it; 1 anything else. User errors never print a stack trace.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, scenarioJsonSchema, suggest } from '../sim/config/load.ts';
import { POLICY_KINDS } from '../sim/config/schema.ts';
import type { RunResult, YearFrame } from '../sim/types.ts';
import { PACKAGE_ROOT, listScenarios, loadScenario, readJsonFile, type FlagOverride } from './scenarios.ts';

/** A bad command line: unknown command or flag, missing or malformed argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Command {
  name: string;
  synopsis: string;
  does: string;
  available: boolean;
}

/** Every command of INTERFACE.md, in its order; unavailable ones are listed but refused. */
const COMMANDS: Command[] = [
  { name: 'scenarios', synopsis: 'scenarios [--describe NAME]', does: "lists the bundled scenarios; or one scenario's teaching note", available: true },
  { name: 'run', synopsis: 'run <scenario|file> [--policy P] [--seed N] [--years Y] [--set path=value]... [--json]', does: 'one run; a readable summary, or JSON', available: true },
  { name: 'compare', synopsis: 'compare <scenario|file> [--policies a,b,...] [--seeds N] [--seed S] [--years Y] [--workers W] [--set path=value]... [--json]', does: 'every policy against the paired counterfactual over N seeds (default: every implemented policy, 5 seeds)', available: true },
  { name: 'experiment', synopsis: 'experiment <spec.json> --out DIR [--workers N] [--shard i/n] [--set path=value]... [--resume]', does: 'a seeded batch experiment (docs/experiments.md)', available: true },
  { name: 'merge', synopsis: 'merge <DIR...> --out DIR', does: 'joins shards', available: true },
  { name: 'summarize', synopsis: 'summarize <DIR> [--json]', does: 'means, intervals, paired differences, sensitivity indices', available: true },
  { name: 'export', synopsis: 'export <DIR> --format csv|parquet [--to PATH]', does: 'tidy tables for R, pandas, polars', available: true },
  { name: 'validate', synopsis: 'validate <file>', does: 'checks a scenario or experiment file; exit 0 or a clear error', available: true },
  { name: 'schema', synopsis: 'schema [scenario|experiment]', does: 'prints the JSON Schema', available: true },
  { name: 'slurm', synopsis: 'slurm <spec.json> --out DIR --tasks N [--cpus-per-task C] [--time T] [--partition P] [--set path=value]... [--submit]', does: 'writes (and with --submit submits) the sbatch array + merge scripts', available: true },
];

const available = () => COMMANDS.filter((c) => c.available).map((c) => c.name);

function usage(): string {
  const line = (c: Command) => `  regensim ${c.synopsis}\n      ${c.does}`;
  const now = COMMANDS.filter((c) => c.available);
  const later = COMMANDS.filter((c) => !c.available);
  return [
    'regensim: agent-based simulation of urban regeneration policies',
    '',
    'Commands:',
    ...now.map(line),
    ...(later.length ? ['', 'Not available in this version:', ...later.map(line)] : []),
    '',
    'Scenario fields can be overridden with --set path=value (repeatable), e.g.',
    '  regensim run baseline --policy place-based --set city.width=40 --set policy.budgetPerYear=3e7',
    '',
    `Policies: ${POLICY_KINDS.join(', ')}`,
    'Options: --help (also after a command), --version',
    'Exit codes: 0 success, 2 bad input (file, field, flag), 1 anything else.',
    '',
  ].join('\n');
}

export const commandHelp = (name: string) => {
  const c = COMMANDS.find((x) => x.name === name)!;
  return `usage: regensim ${c.synopsis}\n  ${c.does}\n`;
};

// ---------------------------------------------------------------------------------------------
// output

/** Writes and waits until the stream has taken the data, so a large JSON is whole in a pipe. */
export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((done, fail) => {
    stream.write(text, (err) => {
      // A reader that stopped early (`| head`) is not an error of ours.
      if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE') fail(err);
      else done();
    });
  });
}
export const out = (text: string) => write(process.stdout, text);

// ---------------------------------------------------------------------------------------------
// argument parsing

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * parseArgs with messages that name the flag and list the allowed ones. A negative number after
 * a string option (`--years -1`) is taken as its value, so that the value check, not the parser's
 * "ambiguous" message, explains what is wrong.
 */
export function parse<O extends OptionSpec>(command: string, args: string[], options: O) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else {
      joined.push(a);
    }
  }
  const flags = Object.keys(options).map((k) => `--${k}`);
  try {
    return parseArgs({ args: joined, options: { ...options, ...HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
    const allowed = flags.length ? `allowed: ${[...flags, '--help'].join(', ')}` : 'it takes only --help';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag} for "${command}"${suggest(flag, flags)}; ${allowed}.`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const spec = options[flag.replace(/^--/, '').replace(/=.*$/, '')];
      throw new UsageError(
        spec?.type === 'boolean' ? `${flag} takes no value.` : `${flag} needs a value: ${commandHelp(command).split('\n')[0]}.`,
      );
    }
    throw new UsageError(`${e.message.split('\n')[0]} (command "${command}").`);
  }
}

export function onePositional(command: string, positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`"${command}" needs ${what}: ${commandHelp(command).split('\n')[0]}.`);
  if (positionals.length > 1) {
    throw new UsageError(`"${command}" takes one ${what}, got ${positionals.length}: ${positionals.join(' ')}.`);
  }
  return positionals[0]!;
}

/** A non-negative integer flag value, or a UsageError naming the flag. */
function nonNegativeInt(flag: string, raw: string): string {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`${flag} must be a non-negative integer, got "${raw}".`);
  }
  return String(Number(raw));
}

// ---------------------------------------------------------------------------------------------
// readable output

const groupThousands = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Formats a metric by what its name says it is: rates as %, money rounded, counts grouped. */
export function formatMetric(name: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (/(Rate|Share|Burden)$/.test(name) || name === 'turnover') return `${(v * 100).toFixed(1)}%`;
  if (/(Income|Rent|Wage|Investment|Line)$/.test(name)) {
    return `${v < 0 ? '-' : ''}£${groupThousands(Math.round(Math.abs(v)).toString())}`;
  }
  if (Number.isInteger(v)) return groupThousands(v.toString());
  if (Math.abs(v) >= 1000) return groupThousands(Math.round(v).toString());
  return v.toFixed(3);
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows
    .map((r) => `  ${r.map((c, j) => (rightAlign[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ')}`.trimEnd())
    .join('\n');
}

const SERIES_METRICS = ['povertyRate', 'unemploymentRate', 'medianIncome', 'similarNeighbourShare'];

/** Up to about six years, evenly spaced, always with the first and the last. */
function sampleYears(series: YearFrame[]): YearFrame[] {
  if (series.length <= 6) return series;
  const step = Math.ceil((series.length - 1) / 5);
  const picked = series.filter((_, i) => i % step === 0);
  if (picked.at(-1) !== series.at(-1)) picked.push(series.at(-1)!);
  return picked;
}

export function summary(r: RunResult): string {
  const lines = [
    table(
      [
        ['scenario', r.scenario],
        ['policy', r.policy],
        ['seed', String(r.seed)],
        ['years', String(r.years)],
        ['config', r.configHash],
      ],
      [false, false],
    ),
    '',
  ];
  const city = r.final.city ?? {};
  const names = Object.keys(city);
  if (names.length) {
    lines.push('Final city metrics:', table([['metric', 'value'], ...names.map((n) => [n, formatMetric(n, city[n]!)])], [false, true]), '');
  }
  const cols = SERIES_METRICS.filter((m) => r.series.some((f) => f.city && m in f.city));
  if (cols.length && r.series.length) {
    const rows = sampleYears(r.series).map((f) => [
      String(f.year),
      ...cols.map((m) => (f.city && m in f.city ? formatMetric(m, f.city[m]!) : '')),
    ]);
    lines.push('City by year:', table([['year', ...cols], ...rows], [true, ...cols.map(() => true)]), '');
  }
  // Outputs against the programme's targets, beside what happened to the people it was for.
  const o = r.final.outputs ?? {};
  const targets = Object.keys(o).filter((k) => k.startsWith('target.')).map((k) => k.slice('target.'.length));
  if (targets.length) {
    const rows = targets.map((t) => [t, formatMetric(t, o[t] ?? 0), formatMetric(t, o[`target.${t}`]!), `${Math.round(o[`completion.${t}`] ?? 0)}%`]);
    lines.push('Outputs against targets:', table([['output', 'achieved', 'target', 'completion'], ...rows], [false, true, true, true]), '');
  }
  const start = r.baseline?.target;
  const orig = r.final.originalResidents;
  if (start && orig) {
    lines.push(
      'Original residents of the target (wherever they live now), at the start → now:',
      table(
        [
          ['metric', 'start', 'now'],
          ...['povertyRate', 'unemploymentRate', 'medianIncome'].map((m) => [m, formatMetric(m, start[m] ?? 0), formatMetric(m, orig[m] ?? 0)]),
        ],
        [false, true, true],
      ),
      '',
    );
  }
  const b = r.final.boundaries;
  if (b) {
    lines.push('Boundaries (target rule vs policy.compareBoundary):', table([['metric', 'value'], ...Object.keys(b).map((m) => [m, formatMetric(m, b[m]!)])], [false, true]), '');
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// commands

async function cmdScenarios(args: string[]): Promise<number> {
  const { values, positionals } = parse('scenarios', args, { describe: { type: 'string' } } as const);
  if (values.help) return out(commandHelp('scenarios')).then(() => 0);
  if (positionals.length) throw new UsageError(`"scenarios" takes no arguments, got: ${positionals.join(' ')}; use --describe NAME.`);
  const list = listScenarios();
  if (values.describe !== undefined) {
    const s = list.find((x) => x.name === values.describe);
    if (!s) {
      const names = list.map((x) => x.name);
      throw new UsageError(
        `--describe: unknown scenario "${values.describe}"${suggest(values.describe, names)}; bundled scenarios: ${names.join(', ')}.`,
      );
    }
    const sections = s.note.map((n) => `${n.heading}\n${wrap(n.text, 78)}`);
    await out(`${wrap(`${s.name}: ${s.title}`, 78)}\n\n${[wrap(s.description || '(no teaching note)', 78), ...sections].join('\n\n')}\n`);
    return 0;
  }
  const width = Math.max(0, ...list.map((s) => s.name.length));
  await out(list.map((s) => `${s.name.padEnd(width)}  ${s.title}\n`).join(''));
  return 0;
}

function wrap(text: string, width: number): string {
  return text
    .split(/\n\s*\n/)
    .map((para) => {
      const lines: string[] = [];
      let cur = '';
      for (const word of para.split(/\s+/).filter(Boolean)) {
        if (cur && cur.length + 1 + word.length > width) {
          lines.push(cur);
          cur = word;
        } else {
          cur = cur ? `${cur} ${word}` : word;
        }
      }
      if (cur) lines.push(cur);
      return lines.join('\n');
    })
    .join('\n\n');
}

async function cmdRun(args: string[]): Promise<number> {
  const { values, positionals } = parse('run', args, {
    policy: { type: 'string' },
    seed: { type: 'string' },
    years: { type: 'string' },
    set: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  } as const);
  if (values.help) return out(commandHelp('run')).then(() => 0);
  const ref = onePositional('run', positionals, 'a scenario name or file');
  const flags: FlagOverride[] = [];
  if (values.policy !== undefined) {
    if (!(POLICY_KINDS as readonly string[]).includes(values.policy)) {
      throw new UsageError(
        `--policy: unknown policy "${values.policy}"${suggest(values.policy, POLICY_KINDS)}; allowed: ${POLICY_KINDS.join(', ')}.`,
      );
    }
    flags.push({ label: `--policy ${values.policy}`, path: 'policy.kind', raw: values.policy });
  }
  if (values.seed !== undefined) {
    flags.push({ label: `--seed ${values.seed}`, path: 'run.seed', raw: nonNegativeInt('--seed', values.seed) });
  }
  if (values.years !== undefined) {
    flags.push({ label: `--years ${values.years}`, path: 'run.years', raw: nonNegativeInt('--years', values.years) });
  }
  const config = loadScenario(ref, values.set ?? [], flags);

  // Loaded only here: the other commands start fast and do not depend on the engine.
  const { runScenario } = await import('../sim/simulation.ts');
  const progress = process.stderr.isTTY && !values.json;
  const years = config.run.years;
  let result;
  try {
    result = runScenario(config, {
      seed: config.run.seed,
      years,
      onYear: progress ? (f: YearFrame) => process.stderr.write(`\r  year ${f.year}/${years}`) : undefined,
    });
  } catch (err) {
    if (progress) process.stderr.write('\r\x1b[K');
    // A boundary rule that selects nothing is found as the programme starts: the user's input.
    const { configErrorOf } = await import('./compare-plan.ts');
    const bad = err instanceof RangeError ? configErrorOf(err.message, ` (in ${ref})`) : undefined;
    throw bad ?? err;
  }
  if (progress) process.stderr.write('\r\x1b[K');
  await out(values.json ? `${JSON.stringify(result)}\n` : summary(result));
  return 0;
}

/** Seeds of a comparison when --seeds is not given: enough for an interval, quick on a laptop. */
const DEFAULT_COMPARE_SEEDS = 5;

/** A positive integer flag value (at least `min`), or a UsageError naming the flag. */
export function intAtLeast(flag: string, raw: string, min: number, why = ''): number {
  const v = Number(nonNegativeInt(flag, raw));
  if (v < min) throw new UsageError(`${flag} must be an integer ≥ ${min}${why}, got ${raw}.`);
  return v;
}

async function cmdCompare(args: string[]): Promise<number> {
  const { values, positionals } = parse('compare', args, {
    policies: { type: 'string' },
    seeds: { type: 'string' },
    seed: { type: 'string' },
    years: { type: 'string' },
    workers: { type: 'string' },
    set: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  } as const);
  if (values.help) return out(commandHelp('compare')).then(() => 0);
  const ref = onePositional('compare', positionals, 'a scenario name or file');
  const nSeeds = values.seeds === undefined ? DEFAULT_COMPARE_SEEDS : intAtLeast('--seeds', values.seeds, 2, ' (an interval needs two seeds)');
  const workers = values.workers === undefined ? undefined : intAtLeast('--workers', values.workers, 1);

  // The engine's registry says which kinds are implemented; loaded only here, like the engine.
  const { POLICIES } = await import('../sim/policies/index.ts');
  const implemented = POLICY_KINDS.filter((k) => k in POLICIES);
  let kinds: string[] = implemented;
  if (values.policies !== undefined) {
    const named = [...new Set(values.policies.split(',').map((s) => s.trim()))];
    if (!named.length || named.some((k) => !k)) {
      throw new UsageError(`--policies: expected a comma-separated list of policies, got "${values.policies}"; allowed: ${POLICY_KINDS.join(', ')}.`);
    }
    const unknown = named.filter((k) => !(POLICY_KINDS as readonly string[]).includes(k));
    if (unknown.length) {
      throw new UsageError(
        `--policies: unknown ${unknown.length > 1 ? 'policies' : 'policy'} ${unknown.map((k) => `"${k}"`).join(', ')}` +
          `${unknown.length === 1 ? suggest(unknown[0]!, POLICY_KINDS) : ''}; allowed: ${POLICY_KINDS.join(', ')}.`,
      );
    }
    const missing = named.filter((k) => !(k in POLICIES));
    if (missing.length) {
      throw new UsageError(
        `--policies: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not available in this version; available: ${implemented.join(', ')}.`,
      );
    }
    kinds = named;
  }

  const flags: FlagOverride[] = [];
  if (values.seed !== undefined) {
    flags.push({ label: `--seed ${values.seed}`, path: 'run.seed', raw: nonNegativeInt('--seed', values.seed) });
  }
  if (values.years !== undefined) {
    flags.push({ label: `--years ${values.years}`, path: 'run.years', raw: nonNegativeInt('--years', values.years) });
  }
  const config = loadScenario(ref, values.set ?? [], flags);
  if (config.model !== 'city') {
    throw new UsageError(
      `compare ${ref}: this scenario runs the ${config.model} model, which has no policies to compare; ` +
        `use "regensim run ${ref}" (and --set ${config.model}.<field>=<value> to vary it).`,
    );
  }
  const years = config.run.years;
  const start = config.policy.startYear;
  if (years < start + 1) {
    throw new UsageError(
      `--years ${values.years ?? `(the scenario's run.years, ${years})`}: a comparison needs the programme to run at least a year; ` +
        `the policy starts in year ${start} (policy.startYear), so --years must be ≥ ${start + 1}.`,
    );
  }
  const first = config.run.seed;
  if (first + nSeeds - 1 > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`--seed ${first} with --seeds ${nSeeds}: the last seed would exceed ${Number.MAX_SAFE_INTEGER}.`);
  }
  const seeds = Array.from({ length: nSeeds }, (_, i) => first + i);

  const { CompareRunError, formatComparison, runComparison } = await import('./compare.ts');
  const progress = process.stderr.isTTY === true;
  let result;
  try {
    result = await runComparison(config, {
      policies: kinds,
      seeds,
      years,
      workers,
      onProgress: progress ? (done, total) => process.stderr.write(`\r  runs ${done}/${total}`) : undefined,
    });
  } catch (err) {
    if (progress) process.stderr.write('\r\x1b[K');
    if (err instanceof CompareRunError) {
      // A failed run is not the user's input (exit 1), but its message is all they need: no stack.
      await write(process.stderr, `regensim: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (progress) process.stderr.write('\r\x1b[K');
  await out(values.json ? `${JSON.stringify(result)}\n` : formatComparison(result, start));
  return 0;
}

async function cmdValidate(args: string[]): Promise<number> {
  const { values, positionals } = parse('validate', args, {});
  if (values.help) return out(commandHelp('validate')).then(() => 0);
  const file = onePositional('validate', positionals, 'a file');
  const { looksLikeExperiment, loadExperiment } = await import('./experiment/load.ts');
  if (looksLikeExperiment(readJsonFile(file))) {
    const plan = loadExperiment(file);
    const { programmeCutAt } = await import('./experiment/spec.ts');
    const cut = programmeCutAt(plan);
    await out(
      `${file}: valid experiment (${plan.name}: ${plan.runs.length} runs = ${plan.points.length} design points × ` +
        `${plan.spec.policies.length} policies × ${plan.seeds.length} replications, ${plan.years} years)\n` +
        (cut ? `note: programmes run to year ${cut}, past the runs' ${plan.years} years: the runs stop mid-programme (years: ${cut} would see them whole)\n` : ''),
    );
    return 0;
  }
  const config = loadScenario(file);
  await out(`${file}: valid scenario (${config.name})\n`);
  return 0;
}

const SCHEMAS = ['scenario', 'experiment'] as const;

async function cmdSchema(args: string[]): Promise<number> {
  const { values, positionals } = parse('schema', args, {});
  if (values.help) return out(commandHelp('schema')).then(() => 0);
  if (positionals.length > 1) throw new UsageError(`"schema" takes at most one argument, got: ${positionals.join(' ')}.`);
  const which = positionals[0] ?? 'scenario';
  if (!(SCHEMAS as readonly string[]).includes(which)) {
    throw new UsageError(`schema: unknown schema "${which}"; allowed: ${SCHEMAS.join(', ')}.`);
  }
  const schema = which === 'experiment' ? (await import('./experiment/spec.ts')).experimentJsonSchema() : scenarioJsonSchema();
  await out(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const HANDLERS: Record<string, (args: string[]) => Promise<number>> = {
  scenarios: cmdScenarios,
  run: cmdRun,
  compare: cmdCompare,
  validate: cmdValidate,
  schema: cmdSchema,
  // The batch commands live in workers/experiment/ and load only when called.
  experiment: (a) => import('./experiment/cli.ts').then((m) => m.cmdExperiment(a)),
  merge: (a) => import('./experiment/cli.ts').then((m) => m.cmdMerge(a)),
  summarize: (a) => import('./experiment/cli.ts').then((m) => m.cmdSummarize(a)),
  export: (a) => import('./experiment/cli.ts').then((m) => m.cmdExport(a)),
  slurm: (a) => import('./experiment/cli.ts').then((m) => m.cmdSlurm(a)),
};

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    if (command === 'help' && rest[0] && COMMANDS.some((c) => c.name === rest[0])) {
      await out(commandHelp(rest[0]));
    } else {
      await out(usage());
    }
    return 0;
  }
  if (command === '--version' || command === '-V') {
    await out(`regensim ${packageVersion()}\n`);
    return 0;
  }
  const handler = HANDLERS[command];
  if (handler) return handler(rest);
  const known = COMMANDS.find((c) => c.name === command);
  if (known) {
    throw new UsageError(`"${command}" is not available in this version; available commands: ${available().join(', ')}.`);
  }
  const names = COMMANDS.map((c) => c.name);
  if (command.startsWith('-')) {
    throw new UsageError(`unknown option ${command}${suggest(command, ['--help', '--version'])}; before a command only --help and --version are allowed.`);
  }
  throw new UsageError(
    `unknown command "${command}"${suggest(command, names)}; available commands: ${available().join(', ')} (see regensim --help).`,
  );
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      await write(process.stderr, `regensim: ${err.message}\n`);
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    const debug = process.env.REGENSIM_DEBUG ? `\n${e.stack ?? ''}` : '';
    await write(process.stderr, `regensim: internal error: ${e.message}${debug}\n`);
    return 1;
  }
}
