/**
 * Backpressure for location pings: a burst of one driver's pings over a socket
 * is served newest first, the pings it replaced are acknowledged as coalesced,
 * and the newest position is the live one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, LocationAccepted } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { driverSignup, signUp } from '../../../test/support/factories';
import { CITY, offset } from '../../../test/support/fleet';
import { baseUrlOf, connectSocket } from '../../../test/support/sockets';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';

const BURST = 200;

describe(`location pings under a burst (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    // Behind from the first ping at work, so a burst of one driver's pings shows the coalescing.
    env = await TestEnvironment.create('coalesce', { env: { RATE_LIMITS: 'off', PING_BACKLOG: '1' } });
    app = await env.start();
    await app.listen();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a burst from one driver is coalesced: the replaced pings say so, the newest is worked and is live', async () => {
    const driver = await signUp(app, driverSignup());
    const socket = await connectSocket(baseUrlOf(app), driver.token);
    try {
      const start = Date.now() - BURST * 10;
      const positions = Array.from({ length: BURST }, (_, index) => offset(CITY, 0.01 * index, -30));
      const acks = await Promise.all(
        positions.map(
          (position, index) =>
            socket.socket.timeout(20_000).emitWithAck('driverLocationUpdate', {
              lat: position.lat,
              lng: position.lng,
              at: new Date(start + index * 10).toISOString(),
            }) as Promise<Ack<LocationAccepted>>,
        ),
      );
      const answers = acks.map((ack) => {
        if (!ack.ok) {
          throw new Error(`ping refused: ${ack.error.code}`);
        }
        return ack.coalesced === true ? 'coalesced' : ack.accepted ? 'accepted' : 'stale';
      });
      const count = (answer: string) => answers.filter((each) => each === answer).length;
      // The first ping is at work while the rest arrive: all but the last of them are replaced.
      expect(count('coalesced')).toBeGreaterThan(0);
      expect(count('stale')).toBe(0);
      expect(answers.at(-1)).toBe('accepted');
      expect(count('accepted') + count('coalesced')).toBe(BURST);
      for (const [index, answer] of answers.entries()) {
        if (answer === 'coalesced') {
          expect(acks[index]).toEqual({ ok: true, accepted: false, coalesced: true });
        }
      }
      const live = await app.services.drivers.presence.liveLocation(driver.user.id);
      const newest = positions.at(-1);
      expect(live?.lat).toBeCloseTo(newest?.lat ?? 0, 6);
      expect(live?.lng).toBeCloseTo(newest?.lng ?? 0, 6);
    } finally {
      socket.close();
    }
  });
});
