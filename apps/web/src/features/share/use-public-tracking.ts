import { useCallback, useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type {
  BookingStatusUpdatedEvent,
  DriverLocationEvent,
  EtaUpdatedEvent,
  PublicTracking,
} from '@loadline/contracts';
import { api, ApiError, errorMessage } from '../../api/client';
import type { AppSocket, ConnectionState } from '../../api/socket';

/** How long the page waits before asking again after the server refused its socket for a passing reason. */
const HANDSHAKE_RETRY_MS = 5_000;

export type PublicTrackingState =
  | { kind: 'loading' }
  /** The link is unknown, revoked or expired: nothing more will be shown. */
  | { kind: 'gone' }
  | { kind: 'error'; message: string }
  | { kind: 'live'; view: PublicTracking; connection: ConnectionState };

/**
 * A shared booking as its link's holder follows it: the public view
 * (`GET /v1/track/:token`), then the socket opened with the link, which hears
 * the booking's position, status and ETA. A link revoked or expired meanwhile
 * (the server closes the socket, or refuses it) turns the page to `gone`.
 */
export function usePublicTracking(token: string): { state: PublicTrackingState; reload: () => void } {
  const [view, setView] = useState<PublicTracking | null>(null);
  const [gone, setGone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<ConnectionState>('connecting');

  const load = useCallback(async () => {
    try {
      const loaded = await api('track.get', { params: { token } });
      setView(loaded);
      setError(null);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'not_found') {
        setGone(true);
      } else {
        setError(errorMessage(caught));
      }
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const socket: AppSocket = io({ auth: { shareToken: token }, transports: ['websocket'] });
    let everConnected = false;
    const onConnect = () => {
      setConnection('connected');
      if (everConnected && !socket.recovered) {
        // Events may have been missed while away: the server's view is the truth.
        void load();
      }
      everConnected = true;
    };
    let retry: number | null = null;
    const onDisconnect = (reason: Socket.DisconnectReason) => {
      if (reason === 'io server disconnect') {
        // The server closes a link's sockets when it is revoked or expires: connecting again asks
        // whether the link still works, and a refusal (below) ends the page.
        setConnection('reconnecting');
        socket.connect();
        return;
      }
      setConnection(reason === 'io client disconnect' ? 'offline' : 'reconnecting');
    };
    const onConnectError = (failure: Error & { data?: { code?: string } }) => {
      if (failure.data?.code === 'not_found') {
        setGone(true);
        return;
      }
      setConnection(everConnected ? 'reconnecting' : 'connecting');
      if (!socket.active) {
        // A refused handshake (the server busy or a dependency down) is not retried by the client itself.
        retry = window.setTimeout(() => socket.connect(), HANDSHAKE_RETRY_MS);
      }
    };
    const onLocation = (event: DriverLocationEvent) => {
      setView((current) =>
        current === null
          ? current
          : {
              ...current,
              driverLocation: { lat: event.lat, lng: event.lng, heading: event.heading, at: event.at },
            },
      );
    };
    const onStatus = (event: BookingStatusUpdatedEvent) => {
      setView((current) => (current === null ? current : { ...current, status: event.status }));
      // The stops, the driver and the ETA follow from the status: read them again.
      void load();
    };
    const onEta = (event: EtaUpdatedEvent) => {
      setView((current) => (current === null ? current : { ...current, etaMinutes: event.etaMinutes }));
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('driverLocation', onLocation);
    socket.on('bookingStatusUpdated', onStatus);
    socket.on('etaUpdated', onEta);
    return () => {
      if (retry !== null) {
        window.clearTimeout(retry);
      }
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token, load]);

  const reload = useCallback(() => {
    setError(null);
    void load();
  }, [load]);

  if (gone) {
    return { state: { kind: 'gone' }, reload };
  }
  if (view === null) {
    return { state: error === null ? { kind: 'loading' } : { kind: 'error', message: error }, reload };
  }
  return { state: { kind: 'live', view, connection }, reload };
}
