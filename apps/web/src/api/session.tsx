import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LoginBody, SignupBody, User } from '@loadline/contracts';
import { api, ApiError, getStoredToken, setStoredToken, UNAUTHENTICATED_EVENT } from './client';
import { rememberReturnPath } from './return-path';

export { homeFor, landingFor } from './return-path';

/** Ends the local session after the server refused it, keeping the page to return to after login. */
function dropRefusedSession(): void {
  rememberReturnPath(window.location.pathname + window.location.search);
  setStoredToken(null);
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous' }
  | { status: 'error'; message: string }
  | { status: 'signed_in'; user: User; token: string };

interface SessionContextValue {
  session: SessionState;
  login(body: LoginBody): Promise<User>;
  signup(body: SignupBody): Promise<User>;
  logout(): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>(() =>
    getStoredToken() === null ? { status: 'anonymous' } : { status: 'loading' },
  );

  const refresh = useCallback(async () => {
    const token = getStoredToken();
    if (token === null) {
      setSession({ status: 'anonymous' });
      return;
    }
    try {
      const me = await api('auth.me');
      setSession({ status: 'signed_in', user: me.user, token });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        dropRefusedSession();
        setSession({ status: 'anonymous' });
      } else {
        setSession({
          status: 'error',
          message: error instanceof Error ? error.message : 'Cannot load your account.',
        });
      }
    }
  }, []);

  useEffect(() => {
    void refresh();
    const onUnauthenticated = () => {
      dropRefusedSession();
      setSession({ status: 'anonymous' });
    };
    window.addEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
  }, [refresh]);

  const login = useCallback(async (body: LoginBody) => {
    const result = await api('auth.login', { body });
    setStoredToken(result.token);
    setSession({ status: 'signed_in', user: result.user, token: result.token });
    return result.user;
  }, []);

  const signup = useCallback(
    async (body: SignupBody) => {
      const result = await api('auth.signup', { body });
      setStoredToken(result.token);
      // The signup answer may lack the driver profile; /v1/me has it.
      setSession({ status: 'signed_in', user: result.user, token: result.token });
      void refresh();
      return result.user;
    },
    [refresh],
  );

  const logout = useCallback(async () => {
    try {
      await api('auth.logout');
    } catch {
      // the local session ends regardless
    }
    setStoredToken(null);
    setSession({ status: 'anonymous' });
  }, []);

  const value = useMemo(
    () => ({ session, login, signup, logout, refresh }),
    [session, login, signup, logout, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === null) {
    throw new Error('useSession outside SessionProvider');
  }
  return value;
}

/** The signed-in user; only for components rendered behind the auth gate. */
export function useUser(): User {
  const { session } = useSession();
  if (session.status !== 'signed_in') {
    throw new Error('useUser without a signed-in session');
  }
  return session.user;
}
