import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config';

/**
 * The `.env` file: `NAME=value` lines read at start, below the real
 * environment. Precedence, highest first: a variable set in the environment,
 * then the file's value, then config.ts's default. `ENV_FILE` names another
 * file (relative to the working directory), or `off` to read none.
 */
type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** A line of the file it could not read, named by file and line number. */
export class EnvFileError extends ConfigError {
  constructor(file: string, line: number, problem: string) {
    super(file, `line ${line}: ${problem}`);
    this.name = 'EnvFileError';
  }
}

/**
 * Parses `.env` text: `NAME=value` per line (an `export ` before the name is
 * allowed); blank lines and lines starting with `#` are skipped; an unquoted
 * value is trimmed and ends at ` #` (a comment); a value in single quotes is
 * taken as written, one in double quotes understands \n, \r, \t, \" and \\;
 * either may span lines. Nothing is expanded (`$HOME` stays as written). A
 * later line wins over an earlier one of the same name. Anything else throws
 * EnvFileError naming the line.
 */
export function parseEnvFile(text: string, file = '.env'): Record<string, string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: Record<string, string> = {};
  for (let index = 0; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) {
      throw new EnvFileError(file, lineNumber, `expected NAME=value, got "${line}"`);
    }
    const name = line
      .slice(0, equals)
      .trim()
      .replace(/^export\s+/, '');
    if (!NAME.test(name)) {
      throw new EnvFileError(
        file,
        lineNumber,
        `"${name}" is not a variable name (letters, digits and _, not starting with a digit)`,
      );
    }
    let rest = line.slice(equals + 1).trimStart();
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      values[name] = rest.replace(/\s+#.*$/, '').trim();
      continue;
    }
    // A quoted value: read on, over further lines, to its closing quote.
    let value = '';
    let position = 1;
    for (;;) {
      const char = rest[position];
      if (char === undefined) {
        const next = lines[index + 1];
        if (next === undefined) {
          throw new EnvFileError(file, lineNumber, `the value of ${name} has no closing ${quote}`);
        }
        index += 1;
        value += '\n';
        rest = next;
        position = 0;
        continue;
      }
      if (char === quote) {
        break;
      }
      if (quote === '"' && char === '\\') {
        const escaped = rest[position + 1];
        value += escaped === undefined ? '\\' : (ESCAPES[escaped] ?? `\\${escaped}`);
        position += 2;
        continue;
      }
      value += char;
      position += 1;
    }
    const after = rest.slice(position + 1).trim();
    if (after !== '' && !after.startsWith('#')) {
      throw new EnvFileError(file, index + 1, `unexpected "${after}" after the quoted value of ${name}`);
    }
    values[name] = value;
  }
  return values;
}

/** True when `name` has a value (not empty) in `env`: the user chose it, over the default. */
export function isSet(env: Env, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

/** The environment with the file's values under it: a variable the environment has (even empty) wins. */
export function withEnvFileValues(env: Env, fileValues: Readonly<Record<string, string>>): Env {
  const merged: Record<string, string | undefined> = { ...fileValues };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) {
      merged[name] = value;
    }
  }
  return merged;
}

export interface LoadedEnvironment {
  env: Env;
  /** The file read (absolute path), or null when none was. */
  file: string | null;
}

/**
 * The environment the server's configuration is read from: `env` over the
 * `.env` file in `cwd` (or the file `ENV_FILE` names; `ENV_FILE=off` reads
 * none). A missing `.env` is no error; a missing file that ENV_FILE names is.
 */
export function loadEnvironment(env: Env = process.env, cwd: string = process.cwd()): LoadedEnvironment {
  const named = env.ENV_FILE?.trim();
  if (named !== undefined && named.toLowerCase() === 'off') {
    return { env, file: null };
  }
  const file = path.resolve(cwd, named === undefined || named === '' ? '.env' : named);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    if (missing && (named === undefined || named === '')) {
      return { env, file: null };
    }
    throw new ConfigError(
      'ENV_FILE',
      missing ? `names ${file}, which does not exist` : `names ${file}, which cannot be read`,
    );
  }
  return { env: withEnvFileValues(env, parseEnvFile(text, file)), file };
}
