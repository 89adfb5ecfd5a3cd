// Runs the browser tests: builds the web app if needed, then Vitest with the e2e config.
import { execSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execSync('node scripts/ensure-web-build.mjs', { cwd: root, stdio: 'inherit' });
execSync('npx vitest run --config vitest.e2e.config.ts', { cwd: root, stdio: 'inherit' });
