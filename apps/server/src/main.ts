import cluster from 'node:cluster';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createApp, PROCESS_ROLES, type ProcessRole } from './app';
import { adminCreateCommand, adminResetPasswordCommand } from './cli/admin-commands';
import { analyticsCommand, generateCommand } from './cli/data-commands';
import { shardsCommand } from './cli/shard-commands';
import { ConfigError, loadConfig, type Config } from './config/config';
import { isSet, loadEnvironment, type LoadedEnvironment } from './config/env-file';
import { createLogger } from './lib/logger';
import { isAppError } from './lib/errors';
import { parseProcesses, runPrimary, serveFromPrimary } from './http/process-cluster';
import { createShardPool } from './platform/platform';
import { migrateShards } from './platform/db/migrate';
import { demoConfig, startDemo } from './simulator/demo';
import { simulateCommand } from './simulator/simulate.command';

const USAGE = `loadline <command>

Commands:
  start [--roles api,realtime,worker] [--processes N|auto] [--demo]
                                        run the platform (default: every role); --processes
                                        runs N processes on one port (cluster mode; auto: one
                                        per core); --demo also runs a simulated fleet
  simulate --drivers N --customers M [--url U] [--duration S] ...
                                        drive a simulated fleet against a running server
                                        (simulate --help lists every flag)
  migrate                               bring every shard to the latest schema
  generate users|drivers|bookings --count N
                                        generate realistic records through the job queue,
                                        with a progress bar
  shards list|move|rebalance|resume|abort
                                        show the shard map; move logical shards to another
                                        physical shard while serving (shards move --range
                                        FROM-TO --to N; rebalance [--dry-run]); cluster mode
  analytics rebuild                     recount the analytics roll-ups from the bookings
                                        (exact while the workers keep running)
  admin create --email E --password P [--name N]
                                        create an administrator account
  admin reset-password --email E [--password P]
                                        set a new password (made up and printed once
                                        without --password) and revoke the account's sessions
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

async function start(config: Config, argv: string[], environment: LoadedEnvironment): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { roles: { type: 'string' }, processes: { type: 'string' }, demo: { type: 'boolean' } },
    allowPositionals: false,
  });
  const demo = values.demo === true;
  // A demo logs warnings and errors only, unless LOG_LEVEL asks for more: its own lines say what happens.
  const quietDemo = demo && !isSet(environment.env, 'LOG_LEVEL');
  const logger = createLogger(demo ? demoConfig(config, { quiet: quietDemo }).logLevel : config.logLevel);
  const roles = parseRoles(values.roles);
  if (demo && !(roles.includes('api') && roles.includes('realtime'))) {
    throw new Error('--demo needs the api and realtime roles in this process');
  }
  const processes = parseProcesses(values.processes, os.availableParallelism());
  if (processes > 1 && cluster.isPrimary) {
    if (config.mode !== 'cluster') {
      throw new Error('--processes needs cluster mode: embedded mode keeps its data in this one process');
    }
    if (demo) {
      throw new Error('--demo runs in one process; leave out --processes');
    }
    // Once, here: the workers start on the migrated schema.
    await migrate(config);
    await runPrimary({
      host: config.host,
      port: config.port,
      processes,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      logger: logger.child({ process: 'primary' }),
    });
    return;
  }
  const app = await createApp({
    config: demo ? demoConfig(config, { quiet: quietDemo }) : config,
    logger,
    roles,
    ...(cluster.isWorker ? { migrate: false } : {}),
  });
  if (cluster.isWorker) {
    serveFromPrimary(app.http.server, app.roles.includes('realtime') ? app.io.engine : null);
    logger.debug({ pid: process.pid, roles: app.roles }, 'worker process ready');
  } else {
    const address = await app.listen();
    logger.info(
      { address, mode: config.mode, roles: app.roles, envFile: environment.file },
      'loadline is up',
    );
  }
  const simulation = demo ? await startDemo(app, logger, { quiet: quietDemo }) : null;

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
    // The simulated fleet signs off first, while the server can still answer it.
    const closing = simulation === null ? app.close() : simulation.stop().then(() => app.close());
    closing.then(
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

async function migrate(config: Config, print = false): Promise<void> {
  const pool = createShardPool(config);
  try {
    const reports = await migrateShards(pool);
    if (print) {
      printReports(reports);
    }
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

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // The environment over the .env file over the defaults (config/env-file.ts).
  const environment = loadEnvironment();
  const config = loadConfig(environment.env);
  switch (command) {
    case 'start':
      await start(config, rest, environment);
      return;
    case 'simulate':
      await simulateCommand(config, rest);
      return;
    case 'migrate':
      await migrate(config, true);
      return;
    case 'generate':
      await generateCommand(config, rest);
      return;
    case 'analytics':
      await analyticsCommand(config, rest);
      return;
    case 'shards':
      await shardsCommand(config, rest);
      return;
    case 'admin':
      if (rest[0] === 'create') {
        await adminCreateCommand(config, rest.slice(1));
      } else if (rest[0] === 'reset-password') {
        await adminResetPasswordCommand(config, rest.slice(1));
      } else {
        throw new Error(`unknown admin command "${rest[0] ?? ''}" (admin create, admin reset-password)`);
      }
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
