import { useCallback, useEffect, useRef, useState } from 'react';
import type { Notification, NotificationEvent } from '@loadline/contracts';
import { api, errorMessage } from './client';
import { useSocket } from './socket';

const PAGE_SIZE = 20;
/** Unread notifications are counted up to this many; beyond it the badge says "99+". */
const UNREAD_COUNT_LIMIT = 100;

/**
 * The signed-in user's notifications: the newest page, the unread count, live
 * additions from the `notification` socket event, and marking read. After a
 * reconnection that lost events everything is refetched.
 */
export function useNotifications() {
  const { socket, resyncGeneration } = useSocket();
  const [items, setItems] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [unread, setUnread] = useState(0);
  /** True when there are more unread than were counted. */
  const [unreadCapped, setUnreadCapped] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  /** Ids already listed or counted, so a live event for one the last fetch brought is not counted twice. */
  const seen = useRef(new Set<string>());

  const load = useCallback(async () => {
    const request = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const [page, unreadPage] = await Promise.all([
        api('notifications.list', { query: { limit: PAGE_SIZE } }),
        api('notifications.list', { query: { unread: true, limit: UNREAD_COUNT_LIMIT } }),
      ]);
      if (request !== generation.current) {
        return;
      }
      seen.current = new Set([...page.items, ...unreadPage.items].map((n) => n.id));
      setItems(page.items);
      setCursor(page.nextCursor);
      setUnread(unreadPage.items.length);
      setUnreadCapped(unreadPage.nextCursor !== null);
    } catch (caught) {
      if (request === generation.current) {
        setError(errorMessage(caught));
      }
    } finally {
      if (request === generation.current) {
        setLoading(false);
      }
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, resyncGeneration]);

  useEffect(() => {
    if (socket === null) {
      return;
    }
    const onNotification = (event: NotificationEvent) => {
      if (seen.current.has(event.id)) {
        return;
      }
      seen.current.add(event.id);
      setItems((current) => [{ ...event, readAt: null }, ...current.filter((n) => n.id !== event.id)]);
      setUnread((count) => count + 1);
    };
    socket.on('notification', onNotification);
    return () => {
      socket.off('notification', onNotification);
    };
  }, [socket]);

  const more = useCallback(async () => {
    if (cursor === null) {
      return;
    }
    setLoading(true);
    try {
      const page = await api('notifications.list', { query: { limit: PAGE_SIZE, cursor } });
      for (const n of page.items) {
        seen.current.add(n.id);
      }
      setItems((current) => [...current, ...page.items.filter((n) => !current.some((c) => c.id === n.id))]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoading(false);
    }
  }, [cursor]);

  const markRead = useCallback(
    async (notification: Notification) => {
      if (notification.readAt !== null) {
        return;
      }
      const readAt = new Date().toISOString();
      setItems((current) => current.map((n) => (n.id === notification.id ? { ...n, readAt } : n)));
      setUnread((count) => Math.max(0, count - 1));
      try {
        await api('notifications.read', { params: { id: notification.id } });
      } catch (caught) {
        setError(errorMessage(caught));
        void load();
      }
    },
    [load],
  );

  const markAllRead = useCallback(async () => {
    const readAt = new Date().toISOString();
    setItems((current) => current.map((n) => (n.readAt === null ? { ...n, readAt } : n)));
    setUnread(0);
    setUnreadCapped(false);
    try {
      await api('notifications.readAll');
    } catch (caught) {
      setError(errorMessage(caught));
      void load();
    }
  }, [load]);

  return {
    items,
    unread,
    unreadCapped,
    loading,
    error,
    hasMore: cursor !== null,
    reload: () => void load(),
    more: () => void more(),
    markRead: (notification: Notification) => void markRead(notification),
    markAllRead: () => void markAllRead(),
  };
}
