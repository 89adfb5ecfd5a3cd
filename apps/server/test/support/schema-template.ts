import { randomBytes } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { migrateShards } from '../../src/platform/db/migrate';
import { MysqlShardPool } from '../../src/platform/db/mysql-shard-pool';
import { createDatabases, dropDatabases, quoted, withMysql } from './mysql';
import { mysqlBaseUrl } from './tier';

/**
 * Cluster tier (ADR 0045): migrating four fresh MariaDB databases takes seconds
 * (every migration's DDL on every shard), and nearly every test file starts
 * from fresh ones. So the global setup migrates one set of template databases
 * per run with the real migrations, and a test environment's fresh databases
 * copy the template's tables and rows: a few dozen `CREATE TABLE`s a shard.
 */

/** How the global setup tells the test workers (forked after it) the template's databases, shard by shard. */
const TEMPLATE_ENV = 'LOADLINE_TEST_SCHEMA_TEMPLATE';

/** A template of this many shards, the test environments' default. */
const TEMPLATE_SHARDS = 4;

interface TemplateTable {
  name: string;
  /** `SHOW CREATE TABLE`: the table exactly as the migrations left it. */
  create: string;
  /** Whether the migrations left rows in it (the shard map, the migrations' own records). */
  hasRows: boolean;
}

/** Global setup: creates and migrates the template; the returned function drops it. */
export async function createSchemaTemplate(): Promise<() => Promise<void>> {
  const tag = randomBytes(3).toString('hex');
  const databases = Array.from({ length: TEMPLATE_SHARDS }, (_, index) => `lt_template_${tag}_${index}`);
  await withMysql((connection) => createDatabases(connection, databases));
  const drop = () => withMysql((connection) => dropDatabases(connection, databases));
  const pool = new MysqlShardPool({
    urls: databases.map((name) => `${mysqlBaseUrl}/${name}`),
    connectionsPerShard: 2,
  });
  try {
    await migrateShards(pool);
  } catch (error) {
    await drop();
    throw error;
  } finally {
    await pool.close();
  }
  process.env[TEMPLATE_ENV] = databases.join(',');
  return drop;
}

let templateTables: Promise<TemplateTable[][]> | null = null;

/** The template's databases, or none outside a run whose global setup made them. */
function templateDatabases(): string[] {
  const value = process.env[TEMPLATE_ENV] ?? '';
  return value === '' ? [] : value.split(',');
}

async function readTemplate(
  connection: Connection,
  databases: readonly string[],
): Promise<TemplateTable[][]> {
  const shards: TemplateTable[][] = [];
  for (const database of databases) {
    const [listed] = await connection.query<RowDataPacket[]>(`SHOW TABLES FROM ${quoted(database)}`);
    const tables: TemplateTable[] = [];
    for (const row of listed) {
      const name = String(Object.values(row)[0]);
      const [created] = await connection.query<RowDataPacket[]>(
        `SHOW CREATE TABLE ${quoted(database)}.${quoted(name)}`,
      );
      const [filled] = await connection.query<RowDataPacket[]>(
        `SELECT EXISTS (SELECT 1 FROM ${quoted(database)}.${quoted(name)}) AS filled`,
      );
      tables.push({
        name,
        create: String(created[0]?.['Create Table']),
        hasRows: Number(filled[0]?.['filled']) === 1,
      });
    }
    shards.push(tables);
  }
  return shards;
}

/**
 * Gives the (new, empty) databases the template's tables and rows, shard by
 * shard. Without a template for this many shards it leaves them empty: the
 * caller's first app then migrates them itself.
 */
export async function copySchemaTemplate(targets: readonly string[]): Promise<void> {
  const template = templateDatabases();
  if (template.length === 0 || template.length !== targets.length) {
    return;
  }
  templateTables ??= withMysql((connection) => readTemplate(connection, template));
  const shards = await templateTables;
  await Promise.all(
    targets.map((target, index) =>
      withMysql(async (connection) => {
        const source = template[index];
        const tables = shards[index];
        if (source === undefined || tables === undefined) {
          throw new Error(`the schema template has no shard ${index}`);
        }
        await connection.query(`USE ${quoted(target)}`);
        for (const table of tables) {
          await connection.query(table.create);
          if (table.hasRows) {
            await connection.query(
              `INSERT INTO ${quoted(table.name)} SELECT * FROM ${quoted(source)}.${quoted(table.name)}`,
            );
          }
        }
      }),
    ),
  );
}
