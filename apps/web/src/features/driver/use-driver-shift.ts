import { useCallback, useEffect, useReducer } from 'react';
import type { Booking, Offer } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { emitWithAck, useSocket } from '../../api/socket';
import { isActiveJob, nextDriverStatus } from '../../domain/booking-status';
import { initialShift, shiftReducer } from './shift-state';

/** How many recent jobs are read to find the current one after a reload. */
const RECENT_JOBS = 10;
/** The jobs list gets a new job from an event consumer, a moment after the acceptance: asked this often. */
const DETAIL_TRIES = 6;
const DETAIL_RETRY_MS = 800;

/**
 * The driver's shift: availability, open offers (live from the socket) and the
 * current job with its next step. Everything is reloaded after a reconnection
 * that lost events.
 */
export function useDriverShift(initialOnline: boolean | null) {
  const { socket, resyncGeneration } = useSocket();
  const [state, dispatch] = useReducer(shiftReducer, initialOnline, initialShift);

  /** Reads the job from the jobs list (it names the customer), trying again while the list has not caught up. */
  const loadDetails = useCallback(async (bookingId: string) => {
    for (let attempt = 0; attempt < DETAIL_TRIES; attempt += 1) {
      try {
        const page = await api('driver.jobs', { query: { limit: 3 } });
        const job = page.items.find((item) => item.bookingId === bookingId);
        if (job?.customer !== undefined) {
          dispatch({ type: 'jobDetailsLoaded', job });
          return;
        }
      } catch {
        // shown nowhere: the job works without its customer's name, and the next try may answer
      }
      await new Promise((resolve) => window.setTimeout(resolve, DETAIL_RETRY_MS));
    }
  }, []);

  const load = useCallback(async () => {
    dispatch({ type: 'loadStarted' });
    try {
      const [me, offers, jobs] = await Promise.all([
        api('auth.me'),
        api('driver.offers'),
        api('driver.jobs', { query: { limit: RECENT_JOBS } }),
      ]);
      dispatch({
        type: 'loaded',
        online: me.user.driver?.online ?? false,
        offers: offers.items,
        jobs: jobs.items,
        now: Date.now(),
      });
      const current = jobs.items.find((job) => isActiveJob(job.status));
      if (current !== undefined) {
        // What to carry is on the booking, not the jobs list.
        void api('bookings.get', { params: { id: current.bookingId } })
          .then((booking) => dispatch({ type: 'goodsLoaded', booking }))
          .catch(() => undefined);
      }
    } catch (caught) {
      dispatch({ type: 'loadFailed', message: errorMessage(caught) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, resyncGeneration]);

  // Live offers and job changes.
  useEffect(() => {
    if (socket === null) {
      return;
    }
    const onOffer = (offer: Offer) => dispatch({ type: 'offerReceived', offer });
    const onRevoked = (event: { bookingId: string }) =>
      dispatch({ type: 'offerGone', bookingId: event.bookingId });
    const onStatus = (event: { bookingId: string; status: Booking['status'] }) =>
      dispatch({ type: 'jobStatusChanged', bookingId: event.bookingId, status: event.status });
    socket.on('bookingOffer', onOffer);
    socket.on('offerRevoked', onRevoked);
    socket.on('bookingStatusUpdated', onStatus);
    return () => {
      socket.off('bookingOffer', onOffer);
      socket.off('offerRevoked', onRevoked);
      socket.off('bookingStatusUpdated', onStatus);
    };
  }, [socket]);

  /** Goes online or offline; resolves true when the driver is online afterwards. */
  const toggleOnline = async (): Promise<boolean> => {
    dispatch({ type: 'togglingOnline' });
    try {
      const result = await api('driver.setAvailability', { body: { online: !(state.online ?? false) } });
      dispatch({ type: 'onlineSet', online: result.online });
      return result.online;
    } catch (caught) {
      dispatch({ type: 'onlineFailed', message: errorMessage(caught) });
      return false;
    }
  };

  const accept = async (offer: Offer) => {
    dispatch({ type: 'jobActionStarted' });
    try {
      const booking = await api('driver.acceptOffer', { params: { bookingId: offer.bookingId } });
      dispatch({ type: 'accepted', booking });
      void loadDetails(booking.id);
    } catch (caught) {
      dispatch({ type: 'acceptFailed', bookingId: offer.bookingId, message: errorMessage(caught) });
    }
  };

  const reject = async (offer: Offer) => {
    dispatch({ type: 'offerGone', bookingId: offer.bookingId });
    try {
      await api('driver.rejectOffer', { params: { bookingId: offer.bookingId } });
    } catch (caught) {
      dispatch({ type: 'failed', message: errorMessage(caught) });
    }
  };

  /** Moves the job to its next status: over the socket when connected (same service), else over REST. */
  const advance = async () => {
    const { job } = state;
    const next = job === null ? undefined : nextDriverStatus(job.status);
    if (job === null || next === undefined) {
      return;
    }
    dispatch({ type: 'jobActionStarted' });
    try {
      const booking =
        socket !== null && socket.connected
          ? (
              await emitWithAck<{ booking: Booking }>(socket, (ack) =>
                socket.emit('bookingStatusChanged', { bookingId: job.bookingId, status: next }, ack),
              )
            ).booking
          : await api('bookings.setStatus', { params: { id: job.bookingId }, body: { status: next } });
      dispatch({ type: 'advanced', booking });
    } catch (caught) {
      dispatch({ type: 'jobActionFailed', message: errorMessage(caught) });
    }
  };

  const dropOffer = useCallback((bookingId: string) => dispatch({ type: 'offerGone', bookingId }), []);
  const reportError = useCallback((message: string) => dispatch({ type: 'failed', message }), []);

  return {
    ...state,
    reload: () => void load(),
    toggleOnline,
    accept: (offer: Offer) => void accept(offer),
    reject: (offer: Offer) => void reject(offer),
    advance: () => void advance(),
    dropOffer,
    reportError,
  };
}
