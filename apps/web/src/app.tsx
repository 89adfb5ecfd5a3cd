import { useEffect, useState } from 'react';

type Health = 'checking' | 'ready' | 'unavailable';

/** The application shell; customer, driver and admin areas mount here. */
export function App() {
  const [health, setHealth] = useState<Health>('checking');

  useEffect(() => {
    let cancelled = false;
    fetch('/readyz')
      .then((response) => {
        if (!cancelled) {
          setHealth(response.ok ? 'ready' : 'unavailable');
        }
      })
      .catch(() => {
        if (!cancelled) {
          setHealth('unavailable');
        }
      });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', padding: '0 1rem' }}>
      <h1>Loadline</h1>
      <p>Real-time goods transport: upfront prices, nearby drivers, live tracking.</p>
      <p>
        Platform status: <strong data-testid="health">{health}</strong>
      </p>
      <p>
        API reference: <a href="/docs">/docs</a>
      </p>
    </main>
  );
}
