import type { ShareLink } from '@loadline/contracts';

/**
 * The share links this browser made for a booking. The server keeps only their
 * hashes (ADR 0022), so revoking one later needs the token kept here.
 */
function key(bookingId: string): string {
  return `loadline.shareLinks.${bookingId}`;
}

function isShareLink(value: unknown): value is ShareLink {
  return (
    typeof value === 'object' &&
    value !== null &&
    'token' in value &&
    typeof value.token === 'string' &&
    'url' in value &&
    typeof value.url === 'string' &&
    'expiresAt' in value &&
    typeof value.expiresAt === 'string'
  );
}

/** The links kept for the booking that have not expired yet. */
export function keptLinks(bookingId: string, now = Date.now()): ShareLink[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key(bookingId)) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.filter(isShareLink).filter((link) => Date.parse(link.expiresAt) > now)
      : [];
  } catch {
    return [];
  }
}

export function keepLinks(bookingId: string, links: readonly ShareLink[]): void {
  try {
    if (links.length === 0) {
      localStorage.removeItem(key(bookingId));
    } else {
      localStorage.setItem(key(bookingId), JSON.stringify(links));
    }
  } catch {
    // Storage may be unavailable (private mode): the links then last as long as the page.
  }
}
