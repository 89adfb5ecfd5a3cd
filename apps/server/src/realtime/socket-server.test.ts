import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';

/** The production default of SOCKET_ADAPTER_BLOCK_MS (test environments shorten it). */
const PRODUCTION_BLOCK_MS = '5000';

// The Redis Streams adapter exists in cluster mode only.
describe.runIf(isCluster)('Socket.IO server shutdown (cluster)', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await TestEnvironment.create('sioclose');
  });

  afterAll(async () => {
    await env.destroy();
  });

  it("closes without waiting for the adapter's blocking stream read to end", async () => {
    const app = await env.start({
      roles: ['api', 'realtime'],
      env: { SOCKET_ADAPTER_BLOCK_MS: PRODUCTION_BLOCK_MS },
    });
    await app.listen();
    // Let the adapter's reader enter its blocking XREAD.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    await app.close();
    // Before, close waited for the read in progress: up to the whole 5 s block.
    expect(performance.now() - started).toBeLessThan(Number(PRODUCTION_BLOCK_MS) / 2);
  });
});
