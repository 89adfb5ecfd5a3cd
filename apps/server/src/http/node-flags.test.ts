import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS, withServerNodeFlags } from './node-flags';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('server node flags', () => {
  it("the image's entry point starts node with every one of them", () => {
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(entrypoint).toBeDefined();
    const argv = JSON.parse(entrypoint ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.slice(1, 1 + SERVER_NODE_FLAGS.length)).toEqual([...SERVER_NODE_FLAGS]);
  });

  it('adds the flags a process was not started with and keeps the ones it set itself', () => {
    expect(withServerNodeFlags(['--import', 'tsx'])).toEqual([...SERVER_NODE_FLAGS, '--import', 'tsx']);
    expect(withServerNodeFlags(['--max-semi-space-size=16', '--import', 'tsx'])).toEqual([
      '--max-semi-space-size=16',
      '--import',
      'tsx',
    ]);
  });
});
