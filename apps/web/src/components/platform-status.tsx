import { useCallback, useEffect, useState } from 'react';
import { useSocket } from '../api/socket';
import { readinessFrom, readinessText, type Readiness } from './readiness';

/** How often the footer asks /readyz again while the page is visible. */
const POLL_MS = 10_000;
/** A /readyz with no answer within this counts as unreachable. */
const TIMEOUT_MS = 5_000;

async function checkReadiness(): Promise<Readiness> {
  try {
    const response = await fetch('/readyz', { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body: unknown = await response.json().catch(() => null);
    return readinessFrom(response.status, body);
  } catch {
    return { state: 'unreachable' };
  }
}

/**
 * The admins' footer: the platform's readiness as /readyz says it, asked again
 * every few seconds while the page is visible and at once when the live
 * connection changes state, so an outage shows within seconds.
 */
export function PlatformStatus() {
  const { state: connection } = useSocket();
  const [readiness, setReadiness] = useState<Readiness>({ state: 'checking' });
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);

  const check = useCallback(() => {
    let current = true;
    void checkReadiness().then((result) => {
      if (current) {
        setReadiness(result);
        setCheckedAt(new Date());
      }
    });
    return () => {
      current = false;
    };
  }, []);

  useEffect(() => {
    let cancelPending = check();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') {
        cancelPending();
        cancelPending = check();
      }
    }, POLL_MS);
    return () => {
      cancelPending();
      window.clearInterval(timer);
    };
    // `connection` is a dependency on purpose: a connection lost or regained asks again at once.
  }, [check, connection]);

  return (
    <footer className="footer" data-testid="platform-status">
      Platform status:{' '}
      <strong
        data-testid="health"
        data-state={readiness.state}
        className={`health health--${readiness.state}`}
        aria-live="polite"
      >
        {readinessText(readiness)}
      </strong>
      {checkedAt !== null && (
        <>
          <span className="footer__sep" aria-hidden="true">
            ·
          </span>
          <span>checked {checkedAt.toLocaleTimeString()}</span>
        </>
      )}
      <span className="footer__sep" aria-hidden="true">
        ·
      </span>
      <a href="/docs">API reference</a>
    </footer>
  );
}
