import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { AppSocket } from '../../api/socket';
import type { LatLng } from '../../components/map-view';
import { stepToward } from './geo';
import { useDeviceLocation, type DeviceFix } from './use-device-location';

/** Where a simulated driver without a known position starts (central Bengaluru). */
const DEFAULT_POSITION: LatLng = { lat: 12.9716, lng: 77.5946 };
/** Simulated speed: brisk enough to watch a trip in a minute or two. */
const SIM_STEP_METERS = 120;
/** Dispatch offers bookings only to drivers whose position is recent. */
const HEARTBEAT_MS = 30_000;
/** A phone may report many fixes a second; the server hears at most one a second from here. */
const MIN_REPORT_GAP_MS = 1_000;
/** The developer tools (simulated GPS, setting the position on the map) stay open across reloads. */
const DEVELOPER_KEY = 'loadline.driver.developer';

function storedDeveloper(): boolean {
  try {
    return localStorage.getItem(DEVELOPER_KEY) === '1';
  } catch {
    return false;
  }
}

export type LocationSource = 'device' | 'simulated' | 'map';

/**
 * The driver's position and its reports over the socket. While online it
 * comes from the device (`watchPosition`); in the developer tools it can be
 * simulated (one fix a second straight toward `target`, the pickup or the
 * drop-off) or set by tapping the map. While online the last position is
 * reported again every 30 seconds, so dispatch keeps it fresh when the
 * driver stands still.
 */
export function useDriverLocation({
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
  const [developer, setDeveloperState] = useState(storedDeveloper);
  const [simulate, setSimulate] = useState(false);
  const [position, setPosition] = useState<LatLng | null>(null);
  const [heading, setHeading] = useState<number | null>(null);
  const [source, setSource] = useState<LocationSource | null>(null);
  // The newest position for timers and async handlers, which may run before the next render.
  const latest = useRef<LatLng | null>(null);
  const lastReportAt = useRef(0);
  const pendingFix = useRef<DeviceFix | null>(null);
  const trailingReport = useRef<number | null>(null);

  const report = useCallback(
    (next: LatLng, nextHeading?: number, speedKmh?: number) => {
      if (socket === null || !socket.connected) {
        return;
      }
      lastReportAt.current = Date.now();
      // `at` is left to the server (now): a browser's clock can be off, and the position is live anyway.
      const payload = {
        lat: next.lat,
        lng: next.lng,
        ...(nextHeading === undefined ? {} : { heading: nextHeading }),
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
    (next: LatLng, from: LocationSource, nextHeading?: number, speedKmh?: number) => {
      latest.current = next;
      setPosition(next);
      setSource(from);
      if (nextHeading !== undefined) {
        setHeading(nextHeading);
      }
      report(next, nextHeading, speedKmh);
    },
    [report],
  );

  const device = useDeviceLocation(online === true && !simulate, (fix: DeviceFix) => {
    latest.current = fix.position;
    setPosition(fix.position);
    setSource('device');
    setHeading(fix.heading ?? null);
    pendingFix.current = fix;
    if (trailingReport.current !== null) {
      return;
    }
    // At most one report a second, and the newest fix always reported: a fix inside the gap waits for its end.
    const wait = Math.max(0, lastReportAt.current + MIN_REPORT_GAP_MS - Date.now());
    trailingReport.current = window.setTimeout(() => {
      trailingReport.current = null;
      const newest = pendingFix.current;
      pendingFix.current = null;
      if (newest !== null) {
        report(newest.position, newest.heading, newest.speedKmh);
      }
    }, wait);
  });
  useEffect(
    () => () => {
      if (trailingReport.current !== null) {
        window.clearTimeout(trailingReport.current);
      }
    },
    [],
  );

  const tick = useEffectEvent(() => {
    const fix = stepToward(latest.current ?? DEFAULT_POSITION, target, SIM_STEP_METERS);
    moveTo(fix.position, 'simulated', fix.heading, fix.speedKmh);
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

  /** Opens or closes the developer tools; closing them ends the simulation. */
  const setDeveloper = useCallback((on: boolean) => {
    setDeveloperState(on);
    if (!on) {
      setSimulate(false);
    }
    try {
      localStorage.setItem(DEVELOPER_KEY, on ? '1' : '0');
    } catch {
      // storage may be unavailable; the setting then lasts for this page only
    }
  }, []);

  /** Developer tools only: puts the driver where the map was tapped. */
  const setFromMap = useCallback((next: LatLng) => moveTo(next, 'map'), [moveTo]);

  return {
    position,
    heading,
    source,
    device: device.state,
    retryDevice: device.retry,
    developer,
    setDeveloper,
    simulate,
    setSimulate,
    setFromMap,
  };
}
