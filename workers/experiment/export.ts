/**
 * `regensim export`: the store as tidy long tables that pandas, polars, R and DuckDB read
 * directly, in CSV (RFC 4180, header row, empty field for a missing value) or Parquet.
 *
 * Files: `metrics` (run, year, region, metric, value), `runs` (run, point, policy, replication,
 * seed, target_rule, status, error), `parameters` (point, parameter, value, label), `points`
 * (point, role, sample, parameter) and `timings` (run, started_at, ms, host). Rows are sorted by
 * their keys, and the first four tables hold nothing that depends on how or when the runs were
 * executed, so they are byte-identical whatever the workers, shards or interruptions; timings
 * are kept apart for that reason.
 *
 * Both formats stream from SQLite in chunks, so an export's memory does not grow with the store.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer';
import { ConfigError } from '../../sim/config/load.ts';
import { closeStore, openStore, type Db } from './store.ts';

type ColumnType = 'INT32' | 'INT64' | 'DOUBLE' | 'STRING';

interface Table {
  name: string;
  sql: string;
  columns: { name: string; type: ColumnType; nullable: boolean }[];
}

export const TABLES: readonly Table[] = [
  {
    name: 'metrics',
    sql: 'SELECT run, year, region, metric, value FROM metrics ORDER BY run, year, region, metric',
    columns: [
      { name: 'run', type: 'INT32', nullable: false },
      { name: 'year', type: 'INT32', nullable: false },
      { name: 'region', type: 'STRING', nullable: false },
      { name: 'metric', type: 'STRING', nullable: false },
      { name: 'value', type: 'DOUBLE', nullable: true },
    ],
  },
  {
    name: 'runs',
    sql: 'SELECT run, point, policy, replication, seed, target_rule, status, error FROM runs ORDER BY run',
    columns: [
      { name: 'run', type: 'INT32', nullable: false },
      { name: 'point', type: 'INT32', nullable: false },
      { name: 'policy', type: 'STRING', nullable: false },
      { name: 'replication', type: 'INT32', nullable: false },
      { name: 'seed', type: 'INT64', nullable: false },
      { name: 'target_rule', type: 'STRING', nullable: true },
      { name: 'status', type: 'STRING', nullable: false },
      { name: 'error', type: 'STRING', nullable: true },
    ],
  },
  {
    name: 'parameters',
    sql: 'SELECT point, parameter, value, label FROM parameters ORDER BY point, parameter',
    columns: [
      { name: 'point', type: 'INT32', nullable: false },
      { name: 'parameter', type: 'STRING', nullable: false },
      { name: 'value', type: 'DOUBLE', nullable: true },
      { name: 'label', type: 'STRING', nullable: false },
    ],
  },
  {
    name: 'points',
    sql: 'SELECT point, role, sample, parameter FROM points ORDER BY point',
    columns: [
      { name: 'point', type: 'INT32', nullable: false },
      { name: 'role', type: 'STRING', nullable: false },
      { name: 'sample', type: 'INT32', nullable: true },
      { name: 'parameter', type: 'STRING', nullable: true },
    ],
  },
  {
    name: 'timings',
    sql: "SELECT run, started_at, ms, host FROM runs WHERE status != 'pending' ORDER BY run",
    columns: [
      { name: 'run', type: 'INT32', nullable: false },
      { name: 'started_at', type: 'STRING', nullable: true },
      { name: 'ms', type: 'DOUBLE', nullable: true },
      { name: 'host', type: 'STRING', nullable: true },
    ],
  },
];

const CHUNK = 100_000;

type Row = Record<string, number | string | null>;

/** Rows of a query in chunks of CHUNK, without holding the whole table. */
function* chunks(db: Db, sql: string): Generator<Row[]> {
  let buf: Row[] = [];
  for (const row of db.prepare(sql).iterate() as Iterable<Row>) {
    buf.push(row);
    if (buf.length === CHUNK) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}

/** A CSV field: numbers in JavaScript's shortest round-trip form, text quoted when it must be. */
function csvField(v: number | string | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

function writeCsv(db: Db, table: Table, file: string): number {
  const fd = openSync(file, 'w');
  let n = 0;
  try {
    writeSync(fd, `${table.columns.map((c) => c.name).join(',')}\n`);
    for (const rows of chunks(db, table.sql)) {
      let text = '';
      for (const row of rows) text += `${table.columns.map((c) => csvField(row[c.name] ?? null)).join(',')}\n`;
      writeSync(fd, text);
      n += rows.length;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

function schemaOf(table: Table): SchemaElement[] {
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((c): SchemaElement => ({
      name: c.name,
      type: c.type === 'STRING' ? 'BYTE_ARRAY' : c.type,
      ...(c.type === 'STRING' ? { converted_type: 'UTF8' as const } : {}),
      repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED',
    })),
  ];
}

function writeParquet(db: Db, table: Table, file: string): number {
  const writer = new ParquetWriter({ writer: fileWriter(file), schema: schemaOf(table), createdBy: 'regensim' });
  let n = 0;
  for (const rows of chunks(db, table.sql)) {
    writer.write({
      columnData: table.columns.map((c) => ({
        name: c.name,
        data: rows.map((r) => {
          const v = r[c.name] ?? null;
          return c.type === 'INT64' && v !== null ? BigInt(v as number) : v;
        }),
      })),
      rowGroupSize: CHUNK,
    });
    n += rows.length;
  }
  writer.finish();
  return n;
}

export interface ExportReport {
  files: { table: string; file: string; rows: number }[];
}

/** Exports every table of the store in `dir` to `to` (default `<dir>/export`). */
export function exportStore(dir: string, format: 'csv' | 'parquet', to = join(dir, 'export')): ExportReport {
  const db = openStore(dir, true);
  try {
    try {
      mkdirSync(to, { recursive: true });
    } catch (err) {
      throw new ConfigError(`--to ${to}: cannot create the directory: ${(err as Error).message}.`, '--to');
    }
    const files: ExportReport['files'] = [];
    for (const table of TABLES) {
      const file = join(to, `${table.name}.${format}`);
      const rows = format === 'csv' ? writeCsv(db, table, file) : writeParquet(db, table, file);
      files.push({ table: table.name, file, rows });
    }
    return { files };
  } finally {
    closeStore(db);
  }
}
