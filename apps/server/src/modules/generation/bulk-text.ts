import { isId } from '@loadline/contracts';
import type { LookupDirectoryTable, UsersTable } from '../../platform/db/schema';
import type { SqlDialectName } from '../../platform/db/shard-pool';

/**
 * Generated rows as text for the database: SQL literal tuples for multi-row
 * INSERT, or tab-separated lines for LOAD DATA. Rows hold only strings,
 * finite numbers and nulls; anything else is refused, never written.
 */

/** Columns holding 64-bit IDs: written as bare integers so they never pass through a double. */
const ID_COLUMNS = new Set([
  'id',
  'owner_id',
  'user_id',
  'vehicle_id',
  'driver_id',
  'booking_id',
  'customer_id',
  'actor_id',
  'quote_id',
  'active_booking_id',
]);

/** A table's columns in the order its rows are rendered, which of them hold IDs, and its LOAD DATA line. */
export interface RowLayout<Row extends object = object> {
  readonly columns: readonly string[];
  readonly idColumn: readonly boolean[];
  line(row: Row): string;
}

/** The layout of rows shaped like `first`, read column by column by name. */
export function layoutOf(first: object): RowLayout {
  const columns = Object.keys(first);
  const layout: RowLayout = {
    columns,
    idColumn: columns.map((column) => ID_COLUMNS.has(column)),
    line: (row) => tsvLine(row, layout),
  };
  return layout;
}

/**
 * The layouts of the tables every generated account writes, with their lines
 * written out field by field (a fraction of the generic line's cost); rows of
 * another shape (a column added since) get the generic layout.
 */
export function usersLayout(first: UsersTable): RowLayout<UsersTable> {
  return fixedOrGeneric(USERS, first);
}

export function lookupsLayout(first: LookupDirectoryTable): RowLayout<LookupDirectoryTable> {
  return fixedOrGeneric(LOOKUPS, first);
}

function fixedOrGeneric<Row extends object>(fixed: RowLayout<Row>, first: Row): RowLayout<Row> {
  const columns = Object.keys(first);
  const same =
    columns.length === fixed.columns.length &&
    columns.every((column, index) => column === fixed.columns[index]);
  return same ? fixed : layoutOf(first);
}

const USERS: RowLayout<UsersTable> = fixedLayout(
  ['id', 'email', 'password_hash', 'name', 'phone', 'role', 'status', 'created_at', 'updated_at'],
  (row) =>
    `${idText(row.id)}\t${tsvField(row.email)}\t${tsvField(row.password_hash)}\t${tsvField(row.name)}\t` +
    `${row.phone === null ? '\\N' : tsvField(row.phone)}\t${tsvField(row.role)}\t${tsvField(row.status)}\t` +
    `${numberText(row.created_at)}\t${numberText(row.updated_at)}\n`,
);

const LOOKUPS: RowLayout<LookupDirectoryTable> = fixedLayout(
  ['kind', 'value', 'owner_id', 'created_at'],
  (row) =>
    `${tsvField(row.kind)}\t${tsvField(row.value)}\t${idText(row.owner_id)}\t${numberText(row.created_at)}\n`,
);

function fixedLayout<Row extends object>(
  columns: readonly (keyof Row & string)[],
  line: (row: Row) => string,
): RowLayout<Row> {
  return { columns, idColumn: columns.map((column) => ID_COLUMNS.has(column)), line };
}

/** `(v1,v2,...)`: one row as a tuple of SQL literals for `dialect`. */
export function sqlTuple(row: object, layout: RowLayout, dialect: SqlDialectName): string {
  return `(${fields(row, layout, ',', 'NULL', dialect === 'mysql' ? mysqlString : sqliteString)})`;
}

/** One row as a LOAD DATA line: fields separated by tabs, backslash escapes, `\N` for NULL. */
export function tsvLine(row: object, layout: RowLayout): string {
  return `${fields(row, layout, '\t', '\\N', tsvField)}\n`;
}

/** A row's values in its layout's order, each as text, between separators. */
function fields(
  row: object,
  layout: RowLayout,
  separator: string,
  nullText: string,
  quote: (text: string) => string,
): string {
  const record = row as Record<string, unknown>;
  const { columns, idColumn } = layout;
  // A plain loop: this runs for every value of millions of rows.
  let joined = '';
  for (let index = 0; index < columns.length; index += 1) {
    if (index > 0) {
      joined += separator;
    }
    const value = record[columns[index] ?? ''];
    joined += value === null || value === undefined ? nullText : text(value, idColumn[index] === true, quote);
  }
  return joined;
}

/** A non-null value as text: numbers as they print, IDs checked and bare, other strings through `quote`. */
function text(value: unknown, idColumn: boolean, quote: (text: string) => string): string {
  if (typeof value === 'number') {
    return numberText(value);
  }
  if (typeof value === 'string') {
    return idColumn ? idText(value) : quote(value);
  }
  throw new TypeError(`cannot write a ${typeof value} to SQL`);
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`cannot write ${value} to SQL`);
  }
  return String(value);
}

function idText(value: string): string {
  if (!isId(value)) {
    throw new RangeError(`not an id: ${value}`);
  }
  return value;
}

/** A MySQL string literal, escaped as the server's default sql_mode expects (backslash escapes). */
// eslint-disable-next-line no-control-regex -- these are the characters MySQL wants escaped
const MYSQL_SPECIAL = /[\0\b\t\n\r\x1a"'\\]/;
// eslint-disable-next-line no-control-regex -- the same, for replacing every one
const MYSQL_SPECIAL_ALL = /[\0\b\t\n\r\x1a"'\\]/g;

function mysqlString(value: string): string {
  // Most generated text needs no escaping; testing first skips the replace and its garbage.
  if (!MYSQL_SPECIAL.test(value)) {
    return `'${value}'`;
  }
  return `'${value.replace(MYSQL_SPECIAL_ALL, (char) => MYSQL_ESCAPES[char] ?? char)}'`;
}

const MYSQL_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  '"': '\\"',
  "'": "\\'",
  '\\': '\\\\',
};

/** A SQLite string literal; NUL, which would end the statement's text, is spliced in with char(0). */
function sqliteString(value: string): string {
  return `'${value.replace(/'/g, "''").replace(/\0/g, "'||char(0)||'")}'`;
}

/**
 * A LOAD DATA field (`FIELDS ESCAPED BY '\\'`): the separators, the escape
 * character and NUL escaped, so no value can end its field or line early or
 * read as `\N`.
 */
const TSV_SPECIAL = /[\0\t\n\r\\]/;
const TSV_SPECIAL_ALL = /[\0\t\n\r\\]/g;

function tsvField(value: string): string {
  if (!TSV_SPECIAL.test(value)) {
    return value;
  }
  return value.replace(TSV_SPECIAL_ALL, (char) => TSV_ESCAPES[char] ?? char);
}

const TSV_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\\': '\\\\',
};
