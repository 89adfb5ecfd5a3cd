import { defineConfig } from 'vitest/config';

/** Browser tests: a real server process and Debian's Chromium driven by playwright-core. */
export default defineConfig({
  test: {
    include: ['apps/web/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two files at a time, each with its own server and browser: 160 s against 306 s one by one on two cores.
    maxWorkers: 2,
  },
});
