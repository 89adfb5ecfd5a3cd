import { useState } from 'react';
import type { ShareLink } from '@loadline/contracts';
import { api, ApiError, errorMessage } from '../../api/client';
import { ErrorBanner, formatTime } from '../../components/ui';
import { keepLinks, keptLinks } from './share-links';
import './share.css';

/**
 * On the customer's tracking page: make a link anyone can open to follow the
 * delivery (copied at once), copy it again, or revoke it.
 */
export function ShareLinkPanel({ bookingId }: { bookingId: string }) {
  const [links, setLinks] = useState<ShareLink[]>(() => keptLinks(bookingId));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const update = (next: ShareLink[]) => {
    setLinks(next);
    keepLinks(bookingId, next);
  };

  const copy = async (link: ShareLink) => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(link.token);
    } catch {
      // No clipboard (an insecure page, a refusal): the link stays on screen to copy by hand.
      setCopied(null);
    }
  };

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const link = await api('bookings.share', { params: { id: bookingId } });
      update([...links, link]);
      await copy(link);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (link: ShareLink) => {
    setBusy(true);
    setError(null);
    try {
      await api('bookings.unshare', { params: { id: bookingId, token: link.token } });
      update(links.filter((kept) => kept.token !== link.token));
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'not_found') {
        // Already revoked or expired: nothing left to revoke.
        update(links.filter((kept) => kept.token !== link.token));
      } else {
        setError(errorMessage(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="share-links" data-testid="share-links">
      {links.map((link) => (
        <div key={link.token} className="share-links__item" data-testid="share-link">
          <label className="field">
            <span>Tracking link</span>
            <input
              className="mono"
              readOnly
              value={link.url}
              onFocus={(event) => event.currentTarget.select()}
              data-testid="share-link-url"
            />
          </label>
          <span className="muted share-links__expiry">Works until {formatTime(link.expiresAt)}</span>
          <div className="row">
            <button type="button" className="btn btn--small" onClick={() => void copy(link)} disabled={busy}>
              {copied === link.token ? 'Copied' : 'Copy'}
            </button>
            <button
              type="button"
              className="btn btn--small btn--danger"
              onClick={() => void revoke(link)}
              disabled={busy}
              data-testid="share-link-revoke"
            >
              Revoke
            </button>
          </div>
        </div>
      ))}
      {error !== null && <ErrorBanner message={error} />}
      <button
        type="button"
        className="btn btn--block"
        onClick={() => void create()}
        disabled={busy}
        data-testid="share-tracking-link"
      >
        Share tracking link
      </button>
    </div>
  );
}
