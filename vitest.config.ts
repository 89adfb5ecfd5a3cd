import { defineConfig } from 'vitest/config';

const cluster = process.env.LOADLINE_TEST_TIER === 'cluster';

export default defineConfig({
  test: {
    include: ['apps/server/**/*.test.ts', 'packages/**/*.test.ts', 'apps/web/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['apps/server/test/support/global-setup.ts'],
    testTimeout: cluster ? 60_000 : 30_000,
    hookTimeout: cluster ? 120_000 : 60_000,
    pool: 'forks',
    // Two cores: more workers only queue up on the databases.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
