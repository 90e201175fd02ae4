/**
 * `regensim slurm`: the generated job array and merge job, and, on a machine with a SLURM cluster
 * up (CI starts one with scripts/slurm-local.sh), a real submission whose merged results export
 * the same bytes as the experiment run on one machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY, cli, exported, tempDir, writeSpec } from './helpers.ts';

const tmp = tempDir('slurm');
afterAll(() => tmp.cleanup());

const SPEC = {
  scenario: 'baseline',
  set: TINY,
  policies: ['none', 'place-based'],
  years: 2,
  seeds: { master: 11, replications: 3 },
  design: { type: 'factorial', parameters: { 'policy.budgetPerYear': [2_000_000, 6_000_000] } },
};

/** Why the cluster test cannot run here, or null when a cluster answers. */
function clusterMissing(): string | null {
  try {
    execFileSync('sh', ['-c', 'command -v sinfo'], { stdio: 'ignore' });
  } catch {
    return 'no sinfo on this machine (no SLURM client); CI starts a cluster with scripts/slurm-local.sh';
  }
  try {
    const state = execFileSync('sinfo', ['-h', '-o', '%t'], { timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    if (/^(idle|mix|alloc)/m.test(state)) return null;
    return `sinfo answers but no node is up (${state.trim() || 'no nodes'})`;
  } catch {
    return 'sinfo is installed but no SLURM controller answers (start one with: bash scripts/slurm-local.sh start)';
  }
}

describe('regensim slurm', () => {
  it('writes a job array of shards and a merge job that depends on it and dies with it', async () => {
    const spec = writeSpec(tmp.dir, 'spec.json', SPEC);
    const out = join(tmp.dir, 'scripts');
    const r = await cli('slurm', spec, '--out', out, '--tasks', '3', '--cpus-per-task', '2', '--time', '1:00:00');
    expect(r.code, r.stderr).toBe(0);
    const array = readFileSync(join(out, 'slurm', 'array.sbatch'), 'utf8');
    expect(array).toContain('#SBATCH --array=0-2');
    expect(array).toContain('#SBATCH --cpus-per-task=2');
    expect(array).toContain('#SBATCH --time=1:00:00');
    expect(array).toMatch(/experiment '.*spec\.json' --out '.*shards'\/"\$SLURM_ARRAY_TASK_ID"/);
    expect(array).toContain('--shard "$SLURM_ARRAY_TASK_ID/3" --resume');
    const merge = readFileSync(join(out, 'slurm', 'merge.sbatch'), 'utf8');
    expect(merge).toContain('#SBATCH --kill-on-invalid-dep=yes');
    expect(merge).toMatch(/merge '.*shards\/0' '.*shards\/1' '.*shards\/2' --out/);
    const submit = readFileSync(join(out, 'slurm', 'submit.sh'), 'utf8');
    expect(submit).toMatch(/--dependency=afterok:.*--kill-on-invalid-dep=yes/);
    // More tasks than runs: one shard per run, none empty.
    const many = await cli('slurm', spec, '--out', join(tmp.dir, 'many'), '--tasks', '500');
    expect(many.code).toBe(0);
    expect(readFileSync(join(tmp.dir, 'many', 'slurm', 'array.sbatch'), 'utf8')).toContain('#SBATCH --array=0-11');
    const bad = await cli('slurm', spec, '--out', join(tmp.dir, 'bad'), '--tasks', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tasks must be an integer ≥ 1');
  });

  it('runs on a SLURM cluster: the merged results equal one machine\'s', async (ctx) => {
    const missing = clusterMissing();
    if (missing) {
      // In CI the cluster is started before the tests: a cluster that is installed but down is a failure there.
      if (process.env.CI && !missing.startsWith('no sinfo')) throw new Error(missing);
      ctx.skip(`SLURM test skipped: ${missing}`);
    }
    const spec = writeSpec(tmp.dir, 'cluster.json', SPEC);
    const local = join(tmp.dir, 'local');
    expect((await cli('experiment', spec, '--out', local, '--workers', '1')).code).toBe(0);
    expect((await cli('export', local, '--format', 'csv', '--to', join(local, 'csv'))).code).toBe(0);

    const out = join(tmp.dir, 'cluster');
    const r = await cli('slurm', spec, '--out', out, '--tasks', '2', '--submit');
    expect(r.code, r.stderr).toBe(0);
    const ids = /array job (\d+) \(2 tasks\), merge job (\d+)/.exec(r.stdout);
    expect(ids, r.stdout).not.toBeNull();
    const jobs = `${ids![1]},${ids![2]}`;
    const deadline = Date.now() + 170_000;
    while (execFileSync('squeue', ['-h', '-j', jobs], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()) {
      if (Date.now() > deadline) throw new Error(`jobs ${jobs} still queued or running after 170 s:\n${execFileSync('squeue').toString()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    const log = (f: string) => (existsSync(join(out, 'slurm', 'logs', f)) ? readFileSync(join(out, 'slurm', 'logs', f), 'utf8') : '(no log)');
    expect(existsSync(join(out, 'experiment.sqlite')), `merge log:\n${log('merge.log')}\nshard 0:\n${log('shard-0.log')}`).toBe(true);
    expect(log('merge.log')).toContain('12 of 12 runs done');
    expect((await cli('export', out, '--format', 'csv', '--to', join(out, 'csv'))).code).toBe(0);
    expect(exported(join(out, 'csv'), 'csv').equals(exported(join(local, 'csv'), 'csv'))).toBe(true);
  }, 200_000);
});
