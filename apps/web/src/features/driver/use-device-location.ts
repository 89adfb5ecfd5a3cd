import { useEffect, useEffectEvent, useState } from 'react';
import type { LatLng } from '../../components/map-view';
import { speedOver } from './geo';

/** Where the phone's own location stands: asked for, coming in, refused, or not to be had. */
export type DeviceLocationState =
  | { kind: 'off' }
  | { kind: 'unsupported' }
  | { kind: 'asking' }
  | { kind: 'on'; accuracyM: number }
  | { kind: 'denied' }
  | { kind: 'unavailable'; message: string };

export interface DeviceFix {
  position: LatLng;
  heading: number | undefined;
  speedKmh: number | undefined;
}

const WATCH_OPTIONS: PositionOptions = { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 };

/** The contract's fix from a browser position: heading only while moving, speed within the contract's cap. */
export function fixOf(coords: GeolocationCoordinates): DeviceFix {
  const moving = coords.speed !== null && coords.speed > 0.5;
  const heading =
    moving && coords.heading !== null && Number.isFinite(coords.heading)
      ? Math.round(coords.heading) % 360
      : undefined;
  return {
    position: { lat: coords.latitude, lng: coords.longitude },
    heading,
    speedKmh: coords.speed === null || !Number.isFinite(coords.speed) ? undefined : speedOver(coords.speed),
  };
}

/**
 * The device's own location while `active` (online and not simulating):
 * `navigator.geolocation.watchPosition`, which makes the browser ask for
 * permission the first time. Each fix goes to `onFix`; a refusal or a failure
 * is kept in the state for the screen to explain. `retry` asks again.
 */
export function useDeviceLocation(active: boolean, onFix: (fix: DeviceFix) => void) {
  const supported = typeof navigator !== 'undefined' && 'geolocation' in navigator;
  const [state, setState] = useState<DeviceLocationState>({ kind: 'off' });
  const [attempt, setAttempt] = useState(0);
  const deliver = useEffectEvent(onFix);

  useEffect(() => {
    if (!active || !supported) {
      return;
    }
    setState({ kind: 'asking' });
    const id = navigator.geolocation.watchPosition(
      (position) => {
        setState({ kind: 'on', accuracyM: Math.round(position.coords.accuracy) });
        deliver(fixOf(position.coords));
      },
      (error) => {
        if (error.code === error.PERMISSION_DENIED) {
          setState({ kind: 'denied' });
        } else if (error.code === error.POSITION_UNAVAILABLE) {
          setState({ kind: 'unavailable', message: 'Your phone cannot find its location right now.' });
        } else {
          // A timeout: the watch goes on; say that no fix has come yet.
          setState((current) => (current.kind === 'on' ? current : { kind: 'asking' }));
        }
      },
      WATCH_OPTIONS,
    );
    return () => navigator.geolocation.clearWatch(id);
  }, [active, supported, attempt]);

  const shown: DeviceLocationState = !active ? { kind: 'off' } : !supported ? { kind: 'unsupported' } : state;
  return { state: shown, retry: () => setAttempt((n) => n + 1) };
}
