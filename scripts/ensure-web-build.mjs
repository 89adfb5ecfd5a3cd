// Builds the web app when its bundle is missing or older than its sources, so
// `npm start` serves a current app without rebuilding on every start.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const webDir = path.resolve(import.meta.dirname, '../apps/web');
const bundle = path.join(webDir, 'dist/index.html');

function newestMtime(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((name) =>
  path.join(webDir, name),
);
const sourceTime = Math.max(...sources.filter((file) => fs.existsSync(file)).map(newestMtime));
if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < sourceTime) {
  execSync('npm run build -w @loadline/web --silent', {
    stdio: 'inherit',
    cwd: path.resolve(webDir, '../..'),
  });
}
