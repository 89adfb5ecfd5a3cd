import { useEffect, useId, useRef, useState } from 'react';
import type { Notification, Role } from '@loadline/contracts';
import { useNotifications } from '../api/use-notifications';
import { navigate } from '../router';

/** "just now", "5 min ago", "3 h ago", else the date. */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) {
    return 'just now';
  }
  if (seconds < 3600) {
    return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  }
  if (seconds < 86_400) {
    return `${Math.round(seconds / 3600)} h ago`;
  }
  return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** Where a notification about a booking leads, for each role. */
function targetOf(notification: Notification, role: Role): string | null {
  if (notification.bookingId === undefined) {
    return null;
  }
  if (role === 'customer') {
    return `/customer/bookings/${notification.bookingId}`;
  }
  return role === 'driver' ? '/driver' : null;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-1.7 1.7A1 1 0 0 0 4 19.4h16a1 1 0 0 0 .7-1.7L19 16Z"
      />
    </svg>
  );
}

/** The header's bell: unread count (live), a dropdown of the newest notifications, mark read. */
export function NotificationBell({ role }: { role: Role }) {
  const notifications = useNotifications();
  const [open, setOpen] = useState(false);
  // Times read "5 min ago" as of when the panel was opened (render must not read the clock).
  const [now, setNow] = useState(Date.now);
  const rootRef = useRef<HTMLDivElement | null>(null);
  const panelId = useId();
  const { unread, unreadCapped } = notifications;

  // Close on a click elsewhere or Escape.
  useEffect(() => {
    if (!open) {
      return;
    }
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current !== null && !rootRef.current.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const badge = unreadCapped || unread > 99 ? '99+' : String(unread);

  const openNotification = (notification: Notification) => {
    notifications.markRead(notification);
    const target = targetOf(notification, role);
    if (target !== null) {
      setOpen(false);
      navigate(target);
    }
  };

  return (
    <div className="bell" ref={rootRef}>
      <button
        type="button"
        className={unread > 0 ? 'bell__button has-unread' : 'bell__button'}
        aria-label={unread > 0 ? `Notifications, ${badge} unread` : 'Notifications'}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          setNow(Date.now());
          setOpen(!open);
        }}
        data-testid="notification-bell"
        data-unread={unread}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="bell__count" data-testid="notification-count">
            {badge}
          </span>
        )}
      </button>
      {open && (
        <div
          className="bell__panel"
          id={panelId}
          role="dialog"
          aria-label="Notifications"
          data-testid="notification-panel"
        >
          <div className="bell__head">
            <strong>Notifications</strong>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              disabled={unread === 0}
              onClick={notifications.markAllRead}
              data-testid="mark-all-read"
            >
              Mark all read
            </button>
          </div>
          {notifications.error !== null && (
            <div className="banner banner--error bell__error" role="alert">
              <span>{notifications.error}</span>
              <button type="button" className="btn btn--ghost btn--small" onClick={notifications.reload}>
                Retry
              </button>
            </div>
          )}
          {notifications.items.length === 0 && !notifications.loading && notifications.error === null ? (
            <p className="empty">You're all caught up.</p>
          ) : (
            <ul className="bell__list">
              {notifications.items.map((notification) => {
                const isUnread = notification.readAt === null;
                return (
                  <li key={notification.id}>
                    <button
                      type="button"
                      className={isUnread ? 'bell__item is-unread' : 'bell__item'}
                      onClick={() => openNotification(notification)}
                      data-testid="notification-item"
                      data-type={notification.type}
                      data-read={!isUnread}
                    >
                      <span className="bell__dot" aria-hidden="true" />
                      <span className="bell__text">
                        <strong>{notification.title}</strong>
                        <span>{notification.body}</span>
                        <time dateTime={notification.at}>{formatRelative(notification.at, now)}</time>
                      </span>
                      {isUnread && <span className="visually-hidden">(unread)</span>}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          {notifications.loading && <div className="spinner">Loading…</div>}
          {!notifications.loading && notifications.hasMore && (
            <button
              type="button"
              className="btn btn--ghost btn--block btn--small"
              onClick={notifications.more}
            >
              Show older
            </button>
          )}
        </div>
      )}
    </div>
  );
}
