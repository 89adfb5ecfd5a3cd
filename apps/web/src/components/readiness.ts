/**
 * What the admin footer says about the platform, from the server's `GET /readyz`:
 * 200 `{ status: 'ready' }`, 503 naming the dependencies that do not answer,
 * or no answer at all (the server itself is unreachable).
 */
export type Readiness =
  | { state: 'checking' }
  | { state: 'ready' }
  | { state: 'unavailable'; dependencies: readonly string[] }
  | { state: 'unreachable' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The dependencies a 503 from /readyz names (`error.details.dependencies`), or none when it names none. */
function failingDependencies(body: unknown): string[] {
  const error = isRecord(body) ? body.error : undefined;
  const details = isRecord(error) ? error.details : undefined;
  const dependencies = isRecord(details) ? details.dependencies : undefined;
  return Array.isArray(dependencies)
    ? dependencies.filter((entry): entry is string => typeof entry === 'string')
    : [];
}

/**
 * Reads one /readyz answer. Only a 200 whose body says ready counts as ready:
 * a proxy's error page, a 502 or a body that does not match is not.
 */
export function readinessFrom(status: number, body: unknown): Readiness {
  if (status === 200 && isRecord(body) && body.status === 'ready') {
    return { state: 'ready' };
  }
  return { state: 'unavailable', dependencies: status === 503 ? failingDependencies(body) : [] };
}

/** The footer's words for a readiness. */
export function readinessText(readiness: Readiness): string {
  switch (readiness.state) {
    case 'checking':
      return 'checking';
    case 'ready':
      return 'ready';
    case 'unreachable':
      return 'unreachable';
    case 'unavailable':
      return readiness.dependencies.length === 0
        ? 'unavailable'
        : `unavailable (${readiness.dependencies.join(', ')})`;
  }
}
