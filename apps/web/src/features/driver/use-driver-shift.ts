import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { Booking, Offer, StopEvent } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { emitWithAck, useSocket } from '../../api/socket';
import { isActiveTrip, nextDriverStatus } from '../../domain/booking-status';
import { initialShift, shiftReducer } from './shift-state';
import { handoverProblem, type HandoverProblem } from './trip-stops';

/** How many recent trips are read to find the current one after a reload. */
const RECENT_TRIPS = 10;
/** The trip list gets a new trip from an event consumer, a moment after the acceptance: asked this often. */
const DETAIL_TRIES = 6;
const DETAIL_RETRY_MS = 800;

/**
 * The driver's shift: availability, open offers (live from the socket) and the
 * current trip with its next step. Everything is reloaded after a reconnection
 * that lost events.
 */
export function useDriverShift(initialOnline: boolean | null) {
  const { socket, resyncGeneration } = useSocket();
  const [state, dispatch] = useReducer(shiftReducer, initialOnline, initialShift);

  /** Reads the trip from the trip list (it names the customer), trying again while the list has not caught up. */
  const loadDetails = useCallback(async (bookingId: string) => {
    for (let attempt = 0; attempt < DETAIL_TRIES; attempt += 1) {
      try {
        const page = await api('driver.trips', { query: { limit: 3 } });
        const trip = page.items.find((item) => item.bookingId === bookingId);
        if (trip?.customer !== undefined) {
          dispatch({ type: 'tripDetailsLoaded', trip });
          return;
        }
      } catch {
        // shown nowhere: the trip works without its customer's name, and the next try may answer
      }
      await new Promise((resolve) => window.setTimeout(resolve, DETAIL_RETRY_MS));
    }
  }, []);

  const load = useCallback(async () => {
    dispatch({ type: 'loadStarted' });
    try {
      const [me, offers, trips] = await Promise.all([
        api('auth.me'),
        api('driver.offers'),
        api('driver.trips', { query: { limit: RECENT_TRIPS } }),
      ]);
      dispatch({
        type: 'loaded',
        online: me.user.driver?.online ?? false,
        offers: offers.items,
        trips: trips.items,
        now: Date.now(),
      });
      const current = trips.items.find((trip) => isActiveTrip(trip.status));
      if (current !== undefined) {
        // What to carry is on the booking, not the trip list.
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

  // The trip the page shows, for the socket handlers below (registered once per socket).
  const tripId = useRef<string | null>(null);
  const shownTrip = state.trip?.bookingId ?? null;
  useEffect(() => {
    tripId.current = shownTrip;
  }, [shownTrip]);

  // Live offers and trip changes, including those made from the driver's other devices.
  useEffect(() => {
    if (socket === null) {
      return;
    }
    const onOffer = (offer: Offer) => dispatch({ type: 'offerReceived', offer });
    const onRevoked = (event: { bookingId: string }) =>
      dispatch({ type: 'offerGone', bookingId: event.bookingId });
    const onStatus = (event: { bookingId: string; status: Booking['status'] }) => {
      if (event.bookingId !== tripId.current && isActiveTrip(event.status)) {
        // A trip this page does not show yet: accepted on another device.
        void load();
        return;
      }
      dispatch({ type: 'tripStatusChanged', bookingId: event.bookingId, status: event.status });
    };
    // A stop worked on another device: its stops as the booking has them now.
    const onStop = (event: StopEvent) => {
      if (event.bookingId === tripId.current) {
        void api('bookings.get', { params: { id: event.bookingId } })
          .then((booking) => dispatch({ type: 'goodsLoaded', booking }))
          .catch(() => undefined);
      }
    };
    socket.on('bookingOffer', onOffer);
    socket.on('offerRevoked', onRevoked);
    socket.on('bookingStatusUpdated', onStatus);
    socket.on('stopArrived', onStop);
    socket.on('stopCompleted', onStop);
    socket.on('stopFailed', onStop);
    return () => {
      socket.off('bookingOffer', onOffer);
      socket.off('offerRevoked', onRevoked);
      socket.off('bookingStatusUpdated', onStatus);
      socket.off('stopArrived', onStop);
      socket.off('stopCompleted', onStop);
      socket.off('stopFailed', onStop);
    };
  }, [socket, load]);

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
    dispatch({ type: 'tripActionStarted' });
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

  /**
   * Moves the trip to its next status, with the handover's PIN when the
   * booking has them: over the socket when connected and there is no PIN
   * (same service), else over REST, whose body carries the PIN. Resolves with
   * what went wrong, or null; a PIN refused or the driver too far away is left
   * to the form beside the button, the rest goes to the banner.
   */
  const advance = async (pin?: string): Promise<HandoverProblem | null> => {
    const { trip } = state;
    const next = trip === null ? undefined : nextDriverStatus(trip.status);
    if (trip === null || next === undefined) {
      return null;
    }
    dispatch({ type: 'tripActionStarted' });
    try {
      const booking =
        pin === undefined && socket !== null && socket.connected
          ? (
              await emitWithAck<{ booking: Booking }>(socket, (ack) =>
                socket.emit('bookingStatusChanged', { bookingId: trip.bookingId, status: next }, ack),
              )
            ).booking
          : await api('bookings.setStatus', {
              params: { id: trip.bookingId },
              body: pin === undefined ? { status: next } : { status: next, pin },
            });
      dispatch({ type: 'advanced', booking });
      return null;
    } catch (caught) {
      const problem = handoverProblem(caught, next === 'goods_collected' ? 'the pickup' : 'the drop-off');
      dispatch(
        problem.kind === 'pin' || problem.kind === 'locked' || problem.kind === 'far'
          ? { type: 'tripActionRefused' }
          : { type: 'tripActionFailed', message: problem.message },
      );
      return problem;
    }
  };

  /** A stop moved (arrived, handed over, failed): the booking's answer becomes the trip. */
  const applyBooking = useCallback((booking: Booking) => dispatch({ type: 'advanced', booking }), []);

  const dropOffer = useCallback((bookingId: string) => dispatch({ type: 'offerGone', bookingId }), []);
  const reportError = useCallback((message: string) => dispatch({ type: 'failed', message }), []);

  return {
    ...state,
    reload: () => void load(),
    toggleOnline,
    accept: (offer: Offer) => void accept(offer),
    reject: (offer: Offer) => void reject(offer),
    advance,
    applyBooking,
    dropOffer,
    reportError,
  };
}
