import type { User } from '@loadline/contracts';
import { Link, usePath } from '../router';
import { useSocket, type ConnectionState } from '../api/socket';
import { NotificationBell } from './notification-bell';

const BADGE_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

/** A live connection's state as a badge: the app's own socket, or another (a share link's page). */
export function ConnectionStateBadge({ state, testId }: { state: ConnectionState; testId: string }) {
  return (
    <span
      className={`badge badge--${state}`}
      data-testid={testId}
      data-state={state}
      title={`Live updates: ${state}`}
    >
      <span className="badge__dot" aria-hidden="true" />
      {BADGE_TEXT[state]}
    </span>
  );
}

export function ConnectionBadge() {
  const { state } = useSocket();
  return <ConnectionStateBadge state={state} testId="connection-badge" />;
}

export function Header({ user, onLogout }: { user: User | null; onLogout?: () => void }) {
  const path = usePath();
  const home =
    user === null ? '/' : user.role === 'admin' ? '/admin' : user.role === 'driver' ? '/driver' : '/customer';
  return (
    <header className="topbar">
      <Link href={home} className="brand">
        <span className="brand__mark" aria-hidden="true">
          ▲
        </span>
        Loadline
      </Link>
      {user === null && (
        <nav className="topbar__right" aria-label="Account">
          {path !== '/login' && (
            <Link href="/login" className="btn btn--ghost btn--small" data-testid="header-login">
              Log in
            </Link>
          )}
          {path !== '/signup' && (
            <Link href="/signup" className="btn btn--accent btn--small" data-testid="header-signup">
              Sign up
            </Link>
          )}
        </nav>
      )}
      {user !== null && (
        <div className="topbar__right">
          <ConnectionBadge />
          <NotificationBell role={user.role} />
          <span className="who" data-testid="current-user">
            <span className="who__name">{user.name}</span>
            <span className="who__role" data-testid="current-role">
              {user.role}
            </span>
          </span>
          <button type="button" className="btn btn--ghost btn--small" onClick={onLogout} data-testid="logout">
            Log out
          </button>
        </div>
      )}
    </header>
  );
}
