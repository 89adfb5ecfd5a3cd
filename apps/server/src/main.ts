import { parseArgs } from 'node:util';
import { createApp, PROCESS_ROLES, type ProcessRole } from './app';
import { ConfigError, loadConfig, type Config } from './config/config';
import { createLogger } from './lib/logger';
import { isAppError } from './lib/errors';
import { createShardPool } from './platform/platform';
import { migrateShards } from './platform/db/migrate';

const USAGE = `loadline <command>

Commands:
  start [--roles api,realtime,worker]   run the platform (default: every role)
  migrate                               bring every shard to the latest schema
  admin create --email E --password P [--name N]
                                        create an administrator account
`;

function parseRoles(value: string | undefined): ProcessRole[] {
  if (value === undefined) {
    return [...PROCESS_ROLES];
  }
  const roles = value.split(',').map((role) => role.trim());
  for (const role of roles) {
    if (!PROCESS_ROLES.some((known) => known === role)) {
      throw new Error(`unknown role "${role}"; roles are ${PROCESS_ROLES.join(', ')}`);
    }
  }
  return roles as ProcessRole[];
}

async function start(config: Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { roles: { type: 'string' } },
    allowPositionals: false,
  });
  const logger = createLogger(config.logLevel);
  const app = await createApp({ config, logger, roles: parseRoles(values.roles) });
  const address = await app.listen();
  logger.info({ address, mode: config.mode, roles: app.roles }, 'loadline is up');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'draining');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function migrate(config: Config): Promise<void> {
  const pool = createShardPool(config);
  try {
    printReports(await migrateShards(pool));
  } finally {
    await pool.close();
  }
}

function printReports(reports: { shard: string; applied: string[] }[]): void {
  for (const report of reports) {
    const applied = report.applied.length === 0 ? 'up to date' : `applied ${report.applied.join(', ')}`;
    process.stdout.write(`${report.shard}: ${applied}\n`);
  }
}

async function adminCreate(config: Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (values.email === undefined || values.password === undefined) {
    throw new Error('admin create needs --email and --password');
  }
  if (values.password.length < 8) {
    throw new Error('the password must be at least 8 characters');
  }
  const app = await createApp({ config: { ...config, logLevel: 'warn' }, roles: [] });
  try {
    const user = await app.services.auth.createAccount({
      email: values.email,
      password: values.password,
      name: values.name ?? 'Administrator',
      role: 'admin',
    });
    process.stdout.write(`created admin ${user.email} (id ${user.id})\n`);
  } finally {
    await app.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      await start(config, rest);
      return;
    case 'migrate':
      await migrate(config);
      return;
    case 'admin':
      if (rest[0] !== 'create') {
        throw new Error(`unknown admin command "${rest[0] ?? ''}"`);
      }
      await adminCreate(config, rest.slice(1));
      return;
    default:
      process.stdout.write(USAGE);
      if (command !== undefined && command !== 'help' && command !== '--help') {
        process.exitCode = 2;
      }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (isAppError(error)) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
