import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';
import { signalUnauthenticated } from './client';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

interface SocketContextValue {
  socket: AppSocket | null;
  state: ConnectionState;
  /** Bumps on every (re)connection that did not recover missed events: listeners should refetch. */
  resyncGeneration: number;
}

const SocketContext = createContext<SocketContextValue>({
  socket: null,
  state: 'offline',
  resyncGeneration: 0,
});

export function SocketProvider({ token, children }: { token: string; children: ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [resyncGeneration, setResyncGeneration] = useState(0);

  useEffect(() => {
    const created: AppSocket = io({ auth: { token }, transports: ['websocket'] });
    let everConnected = false;
    setState('connecting');
    setSocket(created);

    const onConnect = () => {
      setState('connected');
      if (everConnected && !created.recovered) {
        setResyncGeneration((value) => value + 1);
      }
      everConnected = true;
    };
    const onDisconnect = (reason: Socket.DisconnectReason) => {
      if (reason === 'io server disconnect') {
        // The server closes a socket whose session was revoked: reconnecting asks it whether the
        // session still stands, and a refusal (below) returns the app to the login page.
        setState('reconnecting');
        created.connect();
        return;
      }
      setState(reason === 'io client disconnect' ? 'offline' : 'reconnecting');
    };
    const onConnectError = (error: Error & { data?: { code?: string } }) => {
      if (!created.active && error.data?.code === 'unauthenticated') {
        signalUnauthenticated();
      }
      setState(created.active ? (everConnected ? 'reconnecting' : 'connecting') : 'offline');
    };
    const onReconnectFailed = () => setState('offline');
    const onBrowserOffline = () => setState('offline');
    const onBrowserOnline = () => {
      if (!created.connected) {
        setState('reconnecting');
        created.connect();
      }
    };
    created.on('connect', onConnect);
    created.on('disconnect', onDisconnect);
    created.on('connect_error', onConnectError);
    created.io.on('reconnect_failed', onReconnectFailed);
    window.addEventListener('offline', onBrowserOffline);
    window.addEventListener('online', onBrowserOnline);
    return () => {
      window.removeEventListener('offline', onBrowserOffline);
      window.removeEventListener('online', onBrowserOnline);
      created.removeAllListeners();
      created.io.off('reconnect_failed', onReconnectFailed);
      created.disconnect();
      setSocket(null);
    };
  }, [token]);

  return (
    <SocketContext.Provider value={{ socket, state, resyncGeneration }}>{children}</SocketContext.Provider>
  );
}

export function useSocket(): SocketContextValue {
  return useContext(SocketContext);
}

/** Emits an event and resolves with its ack's payload; rejects with the ack's error or a timeout. */
export function emitWithAck<T extends object>(
  socket: AppSocket,
  emit: (ack: (response: Ack<T>) => void) => void,
  timeoutMs = 8000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (!socket.connected) {
      reject(new Error('Not connected to live updates. Waiting to reconnect.'));
      return;
    }
    const timer = window.setTimeout(() => reject(new Error('The server did not answer in time.')), timeoutMs);
    emit((response) => {
      window.clearTimeout(timer);
      if (response.ok) {
        resolve(response);
      } else {
        reject(new Error(response.error.message));
      }
    });
  });
}
