import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp, type LoadlineApp } from '../app';
import type { Config } from '../config/config';

type Write = (text: string) => void;

const writeStdout: Write = (text) => {
  process.stdout.write(text);
};

function checkPassword(password: string): void {
  if (password.length < 8) {
    throw new Error('the password must be at least 8 characters');
  }
}

/** `loadline admin create --email E --password P [--name N]`: the only way an administrator comes to be. */
export async function adminCreateCommand(
  config: Config,
  argv: string[],
  write: Write = writeStdout,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (values.email === undefined || values.password === undefined) {
    throw new Error('admin create needs --email and --password');
  }
  const { email, password, name } = values;
  checkPassword(password);
  await withApp(config, async (app) => {
    const user = await app.services.auth.createAccount({
      email,
      password,
      name: name ?? 'Administrator',
      role: 'admin',
    });
    write(`created admin ${user.email} (id ${user.id})\n`);
  });
}

/** Runs a command against the platform with no role started, closing it afterwards. */
async function withApp(config: Config, work: (app: LoadlineApp) => Promise<void>): Promise<void> {
  const app = await createApp({ config: { ...config, logLevel: 'warn' }, roles: [] });
  try {
    await work(app);
  } finally {
    await app.close();
  }
}

/**
 * `loadline admin reset-password --email E [--password P]`: gives any account a
 * new password and signs it out everywhere. Without --password one is made up
 * and printed once (generated accounts have none until then).
 */
export async function adminResetPasswordCommand(
  config: Config,
  argv: string[],
  write: Write = writeStdout,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  if (values.email === undefined) {
    throw new Error('admin reset-password needs --email (and optionally --password)');
  }
  const madeUp = values.password === undefined;
  const password = values.password ?? randomBytes(18).toString('base64url');
  const email = values.email;
  checkPassword(password);
  await withApp(config, async (app) => {
    const { user, sessionsRevoked } = await app.services.auth.resetPassword(email, password);
    write(
      `reset the password of ${user.email}; ${sessionsRevoked} session${sessionsRevoked === 1 ? '' : 's'} revoked\n`,
    );
    if (madeUp) {
      // Printed, never logged: this is the one time anyone sees it.
      write(`new password (shown once): ${password}\n`);
    }
  });
}
