import type { IncomingHttpHeaders } from 'node:http';

/**
 * Cross-site request forgery guard for cookie sessions. A browser attaches the
 * `sid` cookie to requests that another site's page makes (forms, no-cors
 * fetches, WebSockets), so a cookie-authenticated request that changes state,
 * or opens a socket, must come from the server's own origin or an allowed one.
 * Bearer tokens are never attached by a browser on its own and need no check.
 *
 * Browsers send `Origin` on every cross-origin request and on same-origin
 * writes; when it is missing, `Sec-Fetch-Site` (sent by every current browser)
 * decides. A request with neither comes from a non-browser client, which cannot
 * hold a victim's cookie.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.allowed = new Set(allowedOrigins);
  }

  /** Why the request must be refused, or null when it may go on. */
  refusal(headers: IncomingHttpHeaders): string | null {
    const origin = single(headers.origin);
    if (origin !== undefined) {
      return this.originAllowed(origin, single(headers.host)) ? null : `Origin ${origin} is not allowed.`;
    }
    const site = single(headers['sec-fetch-site']);
    if (site === 'cross-site' || site === 'same-site') {
      return 'Cross-site requests may not use the session cookie.';
    }
    return null;
  }

  /**
   * The server's own origin is the one whose host the request names (either
   * scheme: behind a TLS proxy the process itself sees plain HTTP).
   */
  private originAllowed(origin: string, host: string | undefined): boolean {
    if (origin === 'null') {
      return false;
    }
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    if (this.allowed.has(parsed.origin)) {
      return true;
    }
    const ownScheme = parsed.protocol === 'http:' || parsed.protocol === 'https:';
    return ownScheme && host !== undefined && parsed.host === host.toLowerCase();
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
