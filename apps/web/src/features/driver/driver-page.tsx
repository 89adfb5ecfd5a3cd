import { useMemo } from 'react';
import { useUser } from '../../api/session';
import { useSocket } from '../../api/socket';
import { MapView, type MapMarker } from '../../components/map-view';
import { Card, Empty, ErrorBanner, formatMoney, Spinner } from '../../components/ui';
import { driverHeadsFor, statusLabel } from '../../domain/booking-status';
import { AvailabilityCard } from './availability-card';
import { DriverHistory } from './driver-history';
import { JobPanel } from './job-panel';
import { OfferCard } from './offer-card';
import type { ShiftNotice } from './shift-state';
import { useDriverShift } from './use-driver-shift';
import { useSimulatedGps } from './use-simulated-gps';

function noticeText(notice: ShiftNotice): string {
  if (notice.kind === 'delivered') {
    return `Delivered. ${formatMoney(notice.price)} added to your earnings.`;
  }
  return notice.status === 'cancelled'
    ? 'The customer cancelled this job.'
    : `Job ${statusLabel(notice.status).toLowerCase()}.`;
}

/** Driver area: availability, live offers, the active job with its next-status button, simulated GPS. */
export function DriverPage() {
  const user = useUser();
  const { socket, state: connection } = useSocket();
  const shift = useDriverShift(user.driver?.online ?? null);
  const { job, offers } = shift;
  const heading = job === null ? null : driverHeadsFor(job.status);
  const target = job === null || heading === null ? null : job[heading];
  const gps = useSimulatedGps({ socket, online: shift.online, target, onError: shift.reportError });
  const { position } = gps;

  const toggleOnline = async () => {
    if (await shift.toggleOnline()) {
      gps.ensurePosition();
    }
  };

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (job !== null) {
      list.push({ id: 'pickup', kind: 'pickup', position: job.pickup, label: 'Pickup' });
      list.push({ id: 'dropoff', kind: 'dropoff', position: job.dropoff, label: 'Drop-off' });
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
      list.push({ id: 'me', kind: 'driver', position, label: 'You', smooth: true, testId: 'driver-marker' });
    }
    return list;
  }, [job, offers, position]);
  const route = useMemo(() => {
    if (job === null) {
      return undefined;
    }
    if (position === null) {
      return [job.pickup, job.dropoff];
    }
    return heading === 'pickup' ? [position, job.pickup, job.dropoff] : [position, job.dropoff];
  }, [job, position, heading]);

  if (shift.loading) {
    return <Spinner label="Loading your shift…" />;
  }

  return (
    <div className="page">
      <div className="grid-2">
        <div className="stack">
          <AvailabilityCard
            driver={user.driver}
            online={shift.online}
            togglingOnline={shift.togglingOnline}
            onToggleOnline={() => void toggleOnline()}
            simulate={gps.simulate}
            onSimulate={gps.setSimulate}
            position={position}
            connection={connection}
          />
          {shift.error !== null && <ErrorBanner message={shift.error} onRetry={shift.reload} />}
          {shift.notice !== null && (
            <div className="banner banner--ok" data-testid="driver-notice">
              {noticeText(shift.notice)}
            </div>
          )}
          {job !== null ? (
            <JobPanel job={job} busy={shift.busy} onAdvance={shift.advance} />
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
          fitKey={job?.bookingId ?? 'idle'}
          center={position ?? undefined}
          onPick={(p) => {
            if (!gps.simulate || job === null) {
              gps.moveTo(p);
            }
          }}
          className="map--tall"
          testId="driver-map"
        />
      </div>
      <DriverHistory refreshKey={shift.finishedJobs} />
    </div>
  );
}
