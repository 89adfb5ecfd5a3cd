import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';

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
      setState(
        reason === 'io client disconnect' || reason === 'io server disconnect' ? 'offline' : 'reconnecting',
      );
    };
    const onConnectError = () => {
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
