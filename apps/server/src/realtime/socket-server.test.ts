import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationEvent } from '@loadline/contracts';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';
import { customerSignup, signUp } from '../../test/support/factories';
import { baseUrlOf, connectSocket } from '../../test/support/sockets';
import { rooms } from '../platform/realtime/realtime-sink.port';
import { createLogger } from '../lib/logger';

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

  it("an event a stopping worker's last job emits still reaches a socket on another instance", async () => {
    const edge = await env.start({ roles: ['api', 'realtime'] });
    await edge.listen();
    const lines: string[] = [];
    const worker = await env.start({
      roles: ['api', 'worker'],
      logger: createLogger('warn', { write: (line: string) => lines.push(line) }),
    });
    const customer = await signUp(edge, customerSignup());
    const socket = await connectSocket(baseUrlOf(edge), customer.token);
    const last: NotificationEvent = {
      id: 'shutdown-1',
      type: 'test',
      title: 'Sent while the worker stops',
      body: 'The queue was closing when this job emitted.',
      at: new Date().toISOString(),
    };
    // The queue closes after the process stopped taking requests and sockets; a job still running emits.
    const closeQueue = worker.platform.queue.close.bind(worker.platform.queue);
    const queueClose = vi.spyOn(worker.platform.queue, 'close').mockImplementation(async () => {
      worker.services.sink.deliver({
        rooms: [rooms.user(customer.user.id)],
        event: 'notification',
        data: last,
      });
      await closeQueue();
    });
    try {
      await worker.close();
      expect(queueClose).toHaveBeenCalled();
      await socket.waitFor<NotificationEvent>('notification', (event) => event.id === last.id, 5_000);
      // Before, the adapter's connection was closed by then: the event was lost, with a warning (write EPIPE).
      expect(lines).toEqual([]);
    } finally {
      queueClose.mockRestore();
      socket.close();
      await edge.close();
    }
  });
});
