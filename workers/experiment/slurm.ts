/**
 * `regensim slurm`: an experiment on a SLURM cluster, as a job array (one shard per task) and a
 * merge job that runs only if every task succeeded.
 *
 * Written to `<out>/slurm/`: `array.sbatch`, `merge.sbatch` and `submit.sh` (what `--submit`
 * does, to submit by hand). Each task runs `regensim experiment --shard i/N --resume` into
 * `<out>/shards/<i>`, so a requeued or resubmitted task finishes its shard instead of starting
 * over; its pool is sized from SLURM_CPUS_PER_TASK. The merge job writes the experiment's store to
 * `<out>` itself. It depends on the array with `afterok` and is submitted with
 * `--kill-on-invalid-dep=yes`: a failed task cancels it instead of leaving it pending forever.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../sim/config/load.ts';
import { PACKAGE_ROOT } from '../scenarios.ts';
import type { ExperimentPlan } from './spec.ts';
import { hasStore } from './store.ts';

export interface SlurmOptions {
  spec: string;
  out: string;
  tasks: number;
  cpusPerTask: number;
  time?: string;
  partition?: string;
  sets: readonly string[];
}

export interface SlurmScripts {
  dir: string;
  array: string;
  merge: string;
  submit: string;
}

/** Single-quoted for the shell. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function writeSlurmScripts(plan: ExperimentPlan, opts: SlurmOptions): SlurmScripts {
  const out = resolve(opts.out);
  if (hasStore(out)) throw new ConfigError(`--out ${opts.out} already holds an experiment store; choose another --out.`, '--out');
  // More tasks than runs would leave empty shards: each task still has a run to do.
  const tasks = Math.min(opts.tasks, plan.runs.length);
  const dir = join(out, 'slurm');
  try {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    mkdirSync(join(out, 'shards'), { recursive: true });
  } catch (err) {
    throw new ConfigError(`--out ${opts.out}: cannot create the directory: ${(err as Error).message}.`, '--out');
  }
  const node = sh(process.execPath);
  const bin = sh(join(PACKAGE_ROOT, 'bin', 'regensim.js'));
  const spec = sh(resolve(opts.spec));
  const sets = opts.sets.map((s) => ` --set ${sh(s)}`).join('');
  const common = [
    ...(opts.time ? [`#SBATCH --time=${opts.time}`] : []),
    ...(opts.partition ? [`#SBATCH --partition=${opts.partition}`] : []),
  ];
  const name = plan.name.replace(/[^\w.-]/g, '_');
  const array = [
    '#!/bin/bash',
    `#SBATCH --job-name=regensim-${name}`,
    `#SBATCH --array=0-${tasks - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${opts.cpusPerTask}`,
    `#SBATCH --output=${join(dir, 'logs', 'shard-%a.log')}`,
    ...common,
    `# ${plan.runs.length} runs in ${tasks} shards; spec hash ${plan.specHash}.`,
    'set -euo pipefail',
    `cd ${sh(PACKAGE_ROOT)}`,
    `exec ${node} ${bin} experiment ${spec}${sets} --out ${sh(join(out, 'shards'))}/"$SLURM_ARRAY_TASK_ID" \\`,
    `  --shard "$SLURM_ARRAY_TASK_ID/${tasks}" --resume`,
    '',
  ].join('\n');
  const shards = Array.from({ length: tasks }, (_, i) => sh(join(out, 'shards', String(i)))).join(' ');
  const merge = [
    '#!/bin/bash',
    `#SBATCH --job-name=regensim-${name}-merge`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --kill-on-invalid-dep=yes',
    `#SBATCH --output=${join(dir, 'logs', 'merge.log')}`,
    ...common,
    'set -euo pipefail',
    `cd ${sh(PACKAGE_ROOT)}`,
    `exec ${node} ${bin} merge ${shards} --out ${sh(out)}`,
    '',
  ].join('\n');
  const files = { array: join(dir, 'array.sbatch'), merge: join(dir, 'merge.sbatch'), submit: join(dir, 'submit.sh') };
  const submit = [
    '#!/bin/bash',
    '# Submits the array, then the merge job that runs once every task has succeeded.',
    'set -euo pipefail',
    `array=$(sbatch --parsable ${sh(files.array)})`,
    `merge=$(sbatch --parsable --dependency=afterok:"\${array%%;*}" --kill-on-invalid-dep=yes ${sh(files.merge)})`,
    'echo "array job ${array%%;*}, merge job ${merge%%;*}"',
    '',
  ].join('\n');
  writeFileSync(files.array, array);
  writeFileSync(files.merge, merge);
  writeFileSync(files.submit, submit);
  chmodSync(files.submit, 0o755);
  return { dir, ...files };
}

function sbatch(args: string[]): string {
  try {
    return execFileSync('sbatch', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim().split(';')[0]!;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new ConfigError('--submit: sbatch is not installed here (no SLURM client); submit the scripts on the cluster.', '--submit');
    throw new Error(`sbatch ${args.join(' ')} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

/** Submits the array and the dependent merge job; returns their job ids. */
export function submitSlurm(scripts: SlurmScripts): { array: string; merge: string } {
  const array = sbatch(['--parsable', scripts.array]);
  const merge = sbatch(['--parsable', `--dependency=afterok:${array}`, '--kill-on-invalid-dep=yes', scripts.merge]);
  return { array, merge };
}
