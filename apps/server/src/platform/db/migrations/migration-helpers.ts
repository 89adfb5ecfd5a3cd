import { sql, type CreateTableBuilder } from 'kysely';

export type MigrationDialect = 'mysql' | 'sqlite';

/** Dialect-specific table options: InnoDB with utf8mb4 on MySQL, nothing on SQLite. */
export function tableOptions(
  dialect: MigrationDialect,
): <T extends string, C extends string>(builder: CreateTableBuilder<T, C>) => CreateTableBuilder<T, C> {
  return (builder) =>
    dialect === 'mysql'
      ? builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`)
      : builder;
}
