import { useMemo } from 'react';
import { useUser } from '../../api/session';
import { useSocket } from '../../api/socket';
import { MapView, type MapMarker } from '../../components/map-view';
import { Card, Empty, ErrorBanner, formatMoney, Spinner } from '../../components/ui';
import { driverHeadsFor, statusLabel } from '../../domain/booking-status';
import { AvailabilityCard } from './availability-card';
import { DriverHistory } from './driver-history';
import { TripPanel, tripTarget } from './trip-panel';
import { isOpenStop, usesStopFlow } from './trip-stops';
import { OfferCard } from './offer-card';
import type { ShiftNotice } from './shift-state';
import { useDriverLocation } from './use-driver-location';
import { useDriverShift } from './use-driver-shift';
import './driver.css';

function noticeText(notice: ShiftNotice): string {
  if (notice.kind === 'delivered') {
    return `Delivered. ${formatMoney(notice.price)} added to your earnings.`;
  }
  return notice.status === 'cancelled'
    ? 'The customer cancelled this trip.'
    : `Trip ${statusLabel(notice.status).toLowerCase()}.`;
}

/** Driver area, phone first: going online, live offers, the active trip with its next step, the map, stats. */
export function DriverPage() {
  const user = useUser();
  const { socket, state: connection } = useSocket();
  const shift = useDriverShift(user.driver?.online ?? null);
  const { trip, offers } = shift;
  const heading = trip === null ? null : driverHeadsFor(trip.status);
  // The pickup, then the stop being worked: where a simulated drive goes and Navigate leads.
  const target = trip === null ? null : (tripTarget(trip)?.place ?? null);
  // The drop-offs still to make, in order (a one-stop trip: its drop-off).
  const openStops = useMemo(() => {
    if (trip === null) {
      return [];
    }
    if (trip.stops === undefined || !usesStopFlow(trip.stops)) {
      return [{ seq: 1, location: trip.dropoff }];
    }
    return [...trip.stops].sort((a, b) => a.seq - b.seq).filter(isOpenStop);
  }, [trip]);
  const location = useDriverLocation({ socket, online: shift.online, target, onError: shift.reportError });
  const { position } = location;

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (trip !== null) {
      list.push({ id: 'pickup', kind: 'pickup', position: trip.pickup, label: 'Pickup' });
      if (!usesStopFlow(trip.stops)) {
        list.push({ id: 'dropoff', kind: 'dropoff', position: trip.dropoff, label: 'Drop-off' });
      } else {
        for (const stop of openStops) {
          list.push({
            id: `stop-${stop.seq}`,
            kind: 'dropoff',
            position: stop.location,
            label: `Stop ${stop.seq}`,
            // Numbered as in the stop list beside the map, not all lettered B.
            text: String(stop.seq),
          });
        }
      }
    } else {
      for (const offer of offers) {
        list.push({
          id: `offer-${offer.bookingId}`,
          kind: 'pickup',
          position: offer.pickup,
          label: 'Offer pickup',
        });
      }
    }
    if (position !== null) {
      list.push({
        id: 'me',
        kind: 'driver',
        position,
        heading: location.heading,
        label: 'You',
        smooth: true,
        testId: 'driver-marker',
      });
    }
    return list;
  }, [trip, openStops, offers, position, location.heading]);
  const route = useMemo(() => {
    if (trip === null) {
      return undefined;
    }
    const drops = openStops.map((stop) => stop.location);
    if (position === null) {
      return [trip.pickup, ...drops];
    }
    return heading === 'pickup' ? [position, trip.pickup, ...drops] : [position, ...drops];
  }, [trip, openStops, position, heading]);

  if (shift.loading) {
    return <Spinner label="Loading your shift…" />;
  }

  return (
    <div className="page driver">
      <div className="grid-2">
        <div className="stack">
          <AvailabilityCard
            driver={user.driver}
            online={shift.online}
            togglingOnline={shift.togglingOnline}
            onToggleOnline={() => void shift.toggleOnline()}
            device={location.device}
            source={location.source}
            onRetryLocation={location.retryDevice}
            developer={location.developer}
            onDeveloper={location.setDeveloper}
            simulate={location.simulate}
            onSimulate={location.setSimulate}
            connection={connection}
          />
          {shift.error !== null && <ErrorBanner message={shift.error} onRetry={shift.reload} />}
          {shift.notice !== null && (
            <div className="banner banner--ok" data-testid="driver-notice" role="status">
              {noticeText(shift.notice)}
            </div>
          )}
          {trip !== null ? (
            <TripPanel
              trip={trip}
              busy={shift.busy}
              position={position}
              onAdvance={shift.advance}
              onBooking={shift.applyBooking}
            />
          ) : (
            <Card title="Offers">
              {offers.length === 0 ? (
                <Empty>
                  {shift.online === true ? 'Waiting for bookings near you…' : 'Go online to receive offers.'}
                </Empty>
              ) : (
                <div className="stack">
                  {offers.map((offer) => (
                    <OfferCard
                      key={offer.bookingId}
                      offer={offer}
                      busy={shift.busy}
                      onAccept={() => shift.accept(offer)}
                      onReject={() => shift.reject(offer)}
                      onExpire={() => shift.dropOffer(offer.bookingId)}
                    />
                  ))}
                </div>
              )}
            </Card>
          )}
        </div>
        <MapView
          markers={markers}
          route={route}
          fitKey={trip?.bookingId ?? (position === null ? 'idle' : 'located')}
          center={position ?? undefined}
          onPick={(p) => {
            // Setting the position by hand is a developer tool; a simulation along a trip keeps its course.
            if (location.developer && !(location.simulate && trip !== null)) {
              location.setFromMap(p);
            }
          }}
          className="map--tall"
          testId="driver-map"
          label="Your position, the pickup and the drop-offs"
        />
      </div>
      <DriverHistory
        refreshKey={shift.finishedTrips}
        emptyHint={
          shift.online !== true
            ? 'Go online to get offers.'
            : trip === null
              ? 'Offers near you appear above.'
              : ''
        }
      />
    </div>
  );
}
