import { lazy, Suspense, useEffect } from 'react';
import { rememberReturnPath } from './api/return-path';
import { homeFor, SessionProvider, useSession } from './api/session';
import { SocketProvider } from './api/socket';
import { Header } from './components/header';
import { LoadBoundary } from './components/load-boundary';
import { PlatformStatus } from './components/platform-status';
import { ErrorBanner, Spinner } from './components/ui';
import { LoginPage, SignupPage } from './features/auth/auth-pages';
import { LandingPage } from './features/landing/landing-page';
import { navigate, usePath } from './router';

// Each role's area is its own chunk: a customer's phone never downloads the admin console.
const CustomerPage = lazy(() =>
  import('./features/customer/customer-page').then((module) => ({ default: module.CustomerPage })),
);
const DriverPage = lazy(() =>
  import('./features/driver/driver-page').then((module) => ({ default: module.DriverPage })),
);
const AdminPage = lazy(() =>
  import('./features/admin/admin-page').then((module) => ({ default: module.AdminPage })),
);
const PublicTrackingPage = lazy(() =>
  import('./features/share/public-tracking-page').then((module) => ({ default: module.PublicTrackingPage })),
);

/** A share link's page, `/t/:token`: public, signed in or not. */
const SHARE_PATH = /^\/t\/([^/]+)$/;

function Routes() {
  const { session, logout, refresh } = useSession();
  const path = usePath();
  const publicPath = path === '/' || path === '/login' || path === '/signup';

  // Redirects: anonymous users to /login (the landing page and sign-in pages excepted), signed-in users to their area.
  useEffect(() => {
    if (session.status === 'anonymous' && !publicPath) {
      // A deep link opened while signed out: signing in comes back to it.
      rememberReturnPath(window.location.pathname + window.location.search);
      navigate('/login', true);
    } else if (session.status === 'signed_in') {
      const home = homeFor(session.user);
      const allowed = path.startsWith(home) || (session.user.role === 'admin' && path.startsWith('/admin'));
      if (!allowed) {
        navigate(home, true);
      }
    }
  }, [session, path, publicPath]);

  if (session.status === 'loading') {
    return <Spinner label="Loading your account…" />;
  }
  if (session.status === 'error') {
    return (
      <div className="page">
        <ErrorBanner message={session.message} onRetry={() => void refresh()} />
      </div>
    );
  }
  if (session.status === 'anonymous') {
    return (
      <>
        <Header user={null} />
        <main className="main">
          {path === '/' ? <LandingPage /> : path === '/signup' ? <SignupPage /> : <LoginPage />}
        </main>
      </>
    );
  }
  const { user, token } = session;
  const area = homeFor(user);
  return (
    <SocketProvider token={token}>
      <Header
        user={user}
        onLogout={() => {
          void logout().then(() => navigate('/login', true));
        }}
      />
      <main className="main">
        <LoadBoundary what="this page">
          <Suspense fallback={<Spinner label="Loading…" />}>
            {!path.startsWith(area) ? (
              <Spinner label="Redirecting…" />
            ) : user.role === 'admin' ? (
              <AdminPage />
            ) : user.role === 'driver' ? (
              <DriverPage />
            ) : (
              <CustomerPage />
            )}
          </Suspense>
        </LoadBoundary>
      </main>
      {user.role === 'admin' && <PlatformStatus />}
    </SocketProvider>
  );
}

/**
 * The application shell: session, live connection and the three role areas;
 * the landing page for visitors; the platform's status for admins only. A
 * share link's page needs no session and stands apart.
 */
export function App() {
  const shareToken = SHARE_PATH.exec(usePath())?.[1];
  if (shareToken !== undefined) {
    return (
      <div className="app">
        <Suspense fallback={<Spinner label="Loading…" />}>
          <PublicTrackingPage token={decodeURIComponent(shareToken)} />
        </Suspense>
      </div>
    );
  }
  return (
    <SessionProvider>
      <div className="app">
        <Routes />
      </div>
    </SessionProvider>
  );
}
