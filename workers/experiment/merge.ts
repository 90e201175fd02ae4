/**
 * `regensim merge`: joins shard stores (or partial stores of the same experiment) into one.
 *
 * Every store holds the whole plan, so the merged store starts from the first one's plan with
 * every run pending, then takes each run's record (status, error, timings, metrics) from the first
 * store that finished it. Stores made from different specs are refused. Runs that no store
 * finished stay pending: `regensim experiment <spec> --out <merged> --resume` runs them.
 */
import { mkdirSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../../sim/config/load.ts';
import { closeStore, countRuns, hasStore, manifestOf, openStore, removeStoreFiles, storePath, type StoreCounts } from './store.ts';

export interface MergeReport {
  sources: { dir: string; shard: string; taken: number }[];
  counts: StoreCounts;
}

export function mergeStores(dirs: readonly string[], out: string): MergeReport {
  if (!dirs.length) throw new ConfigError('"merge" needs at least one store directory: regensim merge <DIR...> --out DIR.', 'merge');
  if (hasStore(out)) {
    throw new ConfigError(`--out ${out} already holds an experiment store; merge into a new directory.`, '--out');
  }
  // Check every manifest before writing anything.
  const manifests = dirs.map((d) => {
    const db = openStore(d, true);
    try {
      return manifestOf(db);
    } finally {
      closeStore(db);
    }
  });
  const first = manifests[0]!;
  manifests.forEach((m, i) => {
    if (m.specHash !== first.specHash) {
      throw new ConfigError(
        `${dirs[i]}: made from a different experiment than ${dirs[0]} (spec hash ${m.specHash} vs ${first.specHash}); ` +
          'only shards of the same spec can be merged.',
        dirs[i]!,
      );
    }
  });

  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new ConfigError(`--out ${out}: cannot create the directory: ${(err as Error).message}.`, '--out');
  }
  // Built under a temporary name and renamed when complete: an interrupted merge leaves no store.
  const target = `${storePath(out)}.partial`;
  let db: Database.Database | undefined;
  try {
    // The merged store is the first store's plan with every run pending: a copy by VACUUM INTO,
    // then the records cleared.
    removeStoreFiles(out);
    const src = new Database(storePath(dirs[0]!), { readonly: true });
    try {
      src.prepare('VACUUM INTO ?').run(target);
    } finally {
      src.close();
    }
    db = new Database(target);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.transaction(() => {
      db!.exec("DELETE FROM metrics; UPDATE runs SET status = 'pending', error = NULL, started_at = NULL, ms = NULL, host = NULL;");
      db!.prepare("UPDATE manifest SET value = 'all' WHERE key = 'shard'").run();
    })();

    const sources: MergeReport['sources'] = [];
    dirs.forEach((dir, i) => {
      db!.prepare('ATTACH DATABASE ? AS src').run(storePath(dir));
      try {
        const taken = db!.transaction(() => {
          db!.exec(`CREATE TEMP TABLE take AS
            SELECT s.run FROM src.runs s JOIN main.runs m ON m.run = s.run
            WHERE s.status != 'pending' AND m.status = 'pending'`);
          db!.exec(`INSERT INTO main.metrics (run, year, region, metric, value)
            SELECT run, year, region, metric, value FROM src.metrics WHERE run IN (SELECT run FROM temp.take)`);
          db!.exec(`UPDATE main.runs SET
              status = (SELECT s.status FROM src.runs s WHERE s.run = main.runs.run),
              error = (SELECT s.error FROM src.runs s WHERE s.run = main.runs.run),
              started_at = (SELECT s.started_at FROM src.runs s WHERE s.run = main.runs.run),
              ms = (SELECT s.ms FROM src.runs s WHERE s.run = main.runs.run),
              host = (SELECT s.host FROM src.runs s WHERE s.run = main.runs.run)
            WHERE run IN (SELECT run FROM temp.take)`);
          const n = (db!.prepare('SELECT count(*) AS n FROM temp.take').get() as { n: number }).n;
          db!.exec('DROP TABLE temp.take');
          return n;
        })();
        sources.push({ dir, shard: manifests[i]!.shard ?? '?', taken });
      } finally {
        db!.exec('DETACH DATABASE src');
      }
    });
    const counts = countRuns(db);
    closeStore(db);
    renameSync(target, storePath(out));
    return { sources, counts };
  } catch (err) {
    if (db?.open) db.close();
    removeStoreFiles(out);
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`--out ${out}: cannot write the merged store: ${(err as Error).message}.`, '--out');
  }
}
