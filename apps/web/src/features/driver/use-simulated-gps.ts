import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { AppSocket } from '../../api/socket';
import type { LatLng } from '../../components/map-view';
import { stepToward } from './geo';

/** Where a driver without a known position starts (central Bengaluru). */
const DEFAULT_POSITION: LatLng = { lat: 12.9716, lng: 77.5946 };
/** Simulated speed: brisk enough to watch a trip in a minute or two. */
const SIM_STEP_METERS = 120;
/** Dispatch offers jobs only to drivers whose position is recent. */
const HEARTBEAT_MS = 30_000;

/**
 * The driver's position and its reports over the socket: set from the map, or
 * simulated (one fix a second straight toward `target`, the pickup or the
 * drop-off). While online and not simulating, the last position is reported
 * again every 30 seconds, as a phone's GPS would.
 */
export function useSimulatedGps({
  socket,
  online,
  target,
  onError,
}: {
  socket: AppSocket | null;
  online: boolean | null;
  target: LatLng | null;
  onError: (message: string) => void;
}) {
  const [simulate, setSimulate] = useState(false);
  const [position, setPosition] = useState<LatLng | null>(null);
  // The newest position for timers and async handlers, which may run before the next render.
  const latest = useRef<LatLng | null>(null);

  const report = useCallback(
    (next: LatLng, heading?: number, speedKmh?: number) => {
      if (socket === null || !socket.connected) {
        return;
      }
      // `at` is left to the server (now): a browser's clock can be off, and the position is live anyway.
      const payload = {
        lat: next.lat,
        lng: next.lng,
        ...(heading === undefined ? {} : { heading }),
        ...(speedKmh === undefined ? {} : { speedKmh }),
      };
      socket.emit('driverLocationUpdate', payload, (ack) => {
        if (!ack.ok) {
          onError(ack.error.message);
        }
      });
    },
    [socket, onError],
  );

  /** Sets the position and reports it. */
  const moveTo = useCallback(
    (next: LatLng, heading?: number, speedKmh?: number) => {
      latest.current = next;
      setPosition(next);
      report(next, heading, speedKmh);
    },
    [report],
  );

  /** Dispatch needs a position: start from the default until GPS or the map gives one. */
  const ensurePosition = useCallback(() => {
    if (latest.current === null) {
      moveTo(DEFAULT_POSITION);
    }
  }, [moveTo]);

  const tick = useEffectEvent(() => {
    const fix = stepToward(latest.current ?? DEFAULT_POSITION, target, SIM_STEP_METERS);
    moveTo(fix.position, fix.heading, fix.speedKmh);
  });
  useEffect(() => {
    if (!simulate) {
      return;
    }
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [simulate]);

  const heartbeat = useEffectEvent(() => {
    if (latest.current !== null) {
      report(latest.current);
    }
  });
  useEffect(() => {
    if (online !== true || simulate) {
      return;
    }
    const timer = window.setInterval(heartbeat, HEARTBEAT_MS);
    return () => window.clearInterval(timer);
  }, [online, simulate]);

  return { position, simulate, setSimulate, moveTo, ensurePosition };
}
