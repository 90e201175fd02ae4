/**
 * The command-line handlers of the batch experiment commands (`experiment`, `merge`, `export`,
 * `summarize`, `slurm`); workers/cli.ts registers them and loads this module only when one of
 * them is called. Same conventions as the rest of the CLI: exit 2 with a message naming the
 * file, field or flag for bad input; 1 when runs failed; stdout only once everything succeeded.
 */
import { resolve } from 'node:path';
import { UsageError, commandHelp, intAtLeast, onePositional, out, parse, write } from '../cli.ts';
import { exportStore } from './export.ts';
import { loadExperiment } from './load.ts';
import { mergeStores } from './merge.ts';
import { runExperiment } from './runner.ts';
import { parseShard } from './spec.ts';

const err = (line: string) => write(process.stderr, `${line}\n`);

export async function cmdExperiment(args: string[]): Promise<number> {
  const { values, positionals } = parse('experiment', args, {
    out: { type: 'string' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    resume: { type: 'boolean' },
    set: { type: 'string', multiple: true },
  } as const);
  if (values.help) return out(commandHelp('experiment')).then(() => 0);
  const file = onePositional('experiment', positionals, 'an experiment file');
  if (values.out === undefined) throw new UsageError(`"experiment" needs --out DIR: ${commandHelp('experiment').split('\n')[0]}.`);
  const workers = values.workers === undefined ? undefined : intAtLeast('--workers', values.workers, 1);
  const shard = values.shard === undefined ? null : parseShard(values.shard);
  const plan = loadExperiment(file, values.set ?? []);

  const tty = process.stderr.isTTY === true;
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) process.stderr.write(`\nregensim: ${signal}: stopping; finished runs are kept, --resume runs the rest.\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let report;
  try {
    report = await runExperiment(plan, {
      out: values.out,
      workers,
      shard,
      resume: values.resume === true,
      signal: controller.signal,
      log: (line) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}regensim: ${line}\n`),
      progress: tty ? (line) => process.stderr.write(`\r\x1b[K${line ? `  ${line}` : ''}`) : undefined,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const c = report.counts;
  const summary =
    `${c.done} of ${c.total} runs done, ${c.failed} failed, ${c.pending} pending` +
    ` (this execution: ${report.ran} runs on ${report.workers} worker${report.workers > 1 ? 's' : ''} in ${report.seconds.toFixed(1)} s)`;
  await out(`${resolve(values.out)}: ${summary}\n`);
  if (report.stopped) return 130;
  if (c.failed > 0) {
    await err(`regensim: ${c.failed} run${c.failed > 1 ? 's' : ''} failed (recorded with ${c.failed > 1 ? 'their messages' : 'its message'} in the store's runs table).`);
    return 1;
  }
  return 0;
}

export async function cmdMerge(args: string[]): Promise<number> {
  const { values, positionals } = parse('merge', args, { out: { type: 'string' } } as const);
  if (values.help) return out(commandHelp('merge')).then(() => 0);
  if (!positionals.length) throw new UsageError(`"merge" needs store directories: ${commandHelp('merge').split('\n')[0]}.`);
  if (values.out === undefined) throw new UsageError(`"merge" needs --out DIR: ${commandHelp('merge').split('\n')[0]}.`);
  const r = mergeStores(positionals, values.out);
  const lines = r.sources.map((s) => `  ${s.dir} (shard ${s.shard}): ${s.taken} runs`);
  const c = r.counts;
  await out(`${resolve(values.out)}: merged ${r.sources.length} stores: ${c.done} of ${c.total} runs done, ${c.failed} failed, ${c.pending} pending\n${lines.join('\n')}\n`);
  if (c.pending > 0) {
    await err(`regensim: ${c.pending} runs are in none of the stores; "regensim experiment <spec> --out ${values.out} --resume" runs them.`);
    return 1;
  }
  return c.failed > 0 ? 1 : 0;
}

export async function cmdExport(args: string[]): Promise<number> {
  const { values, positionals } = parse('export', args, { format: { type: 'string' }, to: { type: 'string' } } as const);
  if (values.help) return out(commandHelp('export')).then(() => 0);
  const dir = onePositional('export', positionals, 'a store directory');
  if (values.format !== 'csv' && values.format !== 'parquet') {
    throw new UsageError(`--format: expected csv or parquet, got ${values.format === undefined ? 'nothing' : `"${values.format}"`}.`);
  }
  const r = exportStore(dir, values.format, values.to);
  await out(r.files.map((f) => `${f.file}\t${f.rows} rows\n`).join(''));
  return 0;
}

export async function cmdSummarize(args: string[]): Promise<number> {
  const { values, positionals } = parse('summarize', args, { json: { type: 'boolean' } } as const);
  if (values.help) return out(commandHelp('summarize')).then(() => 0);
  const dir = onePositional('summarize', positionals, 'a store directory');
  const { summarize, formatSummary } = await import('./summarize.ts');
  const s = summarize(dir);
  await out(values.json ? `${JSON.stringify(s)}\n` : formatSummary(s));
  return 0;
}

export async function cmdSlurm(args: string[]): Promise<number> {
  const { values, positionals } = parse('slurm', args, {
    out: { type: 'string' },
    tasks: { type: 'string' },
    'cpus-per-task': { type: 'string' },
    time: { type: 'string' },
    partition: { type: 'string' },
    set: { type: 'string', multiple: true },
    submit: { type: 'boolean' },
  } as const);
  if (values.help) return out(commandHelp('slurm')).then(() => 0);
  const file = onePositional('slurm', positionals, 'an experiment file');
  if (values.out === undefined) throw new UsageError(`"slurm" needs --out DIR: ${commandHelp('slurm').split('\n')[0]}.`);
  if (values.tasks === undefined) throw new UsageError(`"slurm" needs --tasks N: ${commandHelp('slurm').split('\n')[0]}.`);
  const tasks = intAtLeast('--tasks', values.tasks, 1);
  const cpus = values['cpus-per-task'] === undefined ? 1 : intAtLeast('--cpus-per-task', values['cpus-per-task'], 1);
  if (values.time !== undefined && !/^[\d:-]+$/.test(values.time)) {
    throw new UsageError(`--time: expected a Slurm time limit such as 2:00:00 or 1-12:00:00, got "${values.time}".`);
  }
  if (values.partition !== undefined && !/^[\w.-]+$/.test(values.partition)) {
    throw new UsageError(`--partition: expected a partition name, got "${values.partition}".`);
  }
  const { writeSlurmScripts, submitSlurm } = await import('./slurm.ts');
  const plan = loadExperiment(file, values.set ?? []);
  const scripts = writeSlurmScripts(plan, {
    spec: file,
    out: values.out,
    tasks,
    cpusPerTask: cpus,
    time: values.time,
    partition: values.partition,
    sets: values.set ?? [],
  });
  let text = `${scripts.array}\n${scripts.merge}\n${scripts.submit}\n`;
  if (values.submit) {
    const ids = submitSlurm(scripts);
    text += `submitted: array job ${ids.array} (${tasks} tasks), merge job ${ids.merge} (after the array succeeds)\n`;
  }
  await out(text);
  return 0;
}
