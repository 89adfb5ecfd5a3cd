import { useEffect, useMemo, useReducer, useState, type SyntheticEvent } from 'react';
import { bookingRefOf, type VehicleType } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { newIdempotencyKey } from '../../api/idempotency-key';
import { MapView, type MapMarker } from '../../components/map-view';
import { Card, ErrorBanner } from '../../components/ui';
import { navigate } from '../../router';
import { parseAgain } from './book-again';
import { bookingFormReducer, initialBookingForm, PICKUP, scheduledPickup } from './booking-form-state';
import { PlaceField } from './place-field';
import { QuotePanel } from './quote-panel';
import { stopLabel } from './stop-list';
import { StopsEditor } from './stops-editor';
import { buildTripRequest, checkTripGoods } from './trip-request';
import { VehiclePicker } from './vehicle-picker';

/**
 * "Book again" and "Schedule for later" open the form with `?again=<id>`: the
 * earlier booking's trip, vehicle and goods fill it in (a new price is asked for).
 */
function usePrefill(dispatch: (action: Parameters<typeof bookingFormReducer>[1]) => void): {
  from: string | null;
  error: string | null;
} {
  const [from, setFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const wanted = parseAgain(window.location.search);
    if (wanted === null) {
      return;
    }
    let cancelled = false;
    api('bookings.get', { params: { id: wanted.bookingId } })
      .then((earlier) => {
        if (!cancelled) {
          dispatch({ type: 'prefilled', trip: earlier, schedule: wanted.schedule });
          setFrom(bookingRefOf(earlier));
        }
      })
      .catch((caught: unknown) => {
        if (!cancelled) {
          setError(`Could not fill in the earlier booking: ${errorMessage(caught)}`);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [dispatch]);
  return { from, error };
}

/**
 * Pick the pickup and one or several drop-offs (each with its recipient and
 * goods), pick a vehicle, get a quote, then book now or schedule, with handover
 * PINs if wanted.
 */
export function BookingForm() {
  const [state, dispatch] = useReducer(bookingFormReducer, initialBookingForm);
  const { pickup, stops, target, vehicleType, quote, quoting } = state;
  const prefill = usePrefill(dispatch);

  // Capacity is checked as soon as a weight is typed: it decides which vehicle to pick.
  const goods = checkTripGoods(stops, vehicleType);
  const overCapacity = goods.overCapacity;
  const placesSet = pickup !== null && stops.every((stop) => stop.place !== null);

  const chooseVehicle = (type: VehicleType) => dispatch({ type: 'vehicleChosen', vehicleType: type });

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (pickup !== null) {
      list.push({
        id: 'pickup',
        kind: 'pickup',
        position: pickup,
        label: pickup.address ?? 'Pickup',
        testId: 'pickup-marker',
      });
    }
    const several = stops.length > 1;
    stops.forEach((stop, index) => {
      if (stop.place !== null) {
        list.push({
          id: stop.key,
          kind: 'dropoff',
          position: stop.place,
          label: stop.place.address ?? stopLabel(index, stops.length),
          text: several ? String(index + 1) : undefined,
          testId: several ? `stop-marker-${index + 1}` : 'dropoff-marker',
        });
      }
    });
    return list;
  }, [pickup, stops]);
  const route = useMemo(() => {
    const places = stops.flatMap((stop) => (stop.place === null ? [] : [stop.place]));
    return pickup !== null && places.length > 0 ? [pickup, ...places] : undefined;
  }, [pickup, stops]);
  const fitKey = state.fitCount === 0 ? undefined : String(state.fitCount);

  const getQuote = async (event: SyntheticEvent) => {
    event.preventDefault();
    const request = buildTripRequest(pickup, stops, goods);
    if ('error' in request) {
      dispatch({ type: 'invalid', message: request.error });
      return;
    }
    if (!goods.valid) {
      dispatch({ type: 'goodsErrorsShown' });
      return;
    }
    dispatch({ type: 'quoteRequested' });
    try {
      const received = await api('quotes.create', { body: { ...request.trip, vehicleType } });
      dispatch({ type: 'quoteReceived', quote: received, idempotencyKey: newIdempotencyKey() });
    } catch (caught) {
      dispatch({ type: 'quoteFailed', message: errorMessage(caught) });
    }
  };

  const book = async () => {
    if (quote === null || state.idempotencyKey === null) {
      return;
    }
    if (!goods.valid) {
      dispatch({ type: 'goodsErrorsShown' });
      return;
    }
    const request = buildTripRequest(pickup, stops, goods);
    if ('error' in request) {
      dispatch({ type: 'invalid', message: request.error });
      return;
    }
    const when = scheduledPickup(state, Date.now());
    if ('error' in when) {
      dispatch({ type: 'invalid', message: when.error });
      return;
    }
    dispatch({ type: 'bookingRequested' });
    try {
      const created = await api('bookings.create', {
        body: {
          quoteId: quote.id,
          // With stops, their goods were sent with the quote; only a one-drop-off trip sends goods here.
          ...(request.goods === null ? {} : { goods: request.goods }),
          ...(when.scheduledAt === undefined ? {} : { scheduledAt: when.scheduledAt }),
          ...(state.handoverPins ? { handoverPins: true } : {}),
        },
        headers: { 'idempotency-key': state.idempotencyKey },
      });
      navigate(`/customer/bookings/${created.id}`);
    } catch (caught) {
      dispatch({ type: 'bookingFailed', message: errorMessage(caught) });
    }
  };

  return (
    <div className="grid-2">
      <Card title="Where to?">
        {prefill.from !== null && (
          <div className="banner banner--info" data-testid="prefilled-from">
            <span>
              Filled in from booking <span className="mono">{prefill.from}</span>. Check the details, then get
              today&apos;s price.
            </span>
          </div>
        )}
        {prefill.error !== null && <ErrorBanner message={prefill.error} />}
        <form onSubmit={(event) => void getQuote(event)} noValidate>
          <PlaceField
            label="Pickup"
            value={pickup}
            onChange={(place) => dispatch({ type: 'placeEntered', which: PICKUP, place })}
            active={target === PICKUP}
            onActivate={() => dispatch({ type: 'targetChosen', target: PICKUP })}
            testId="pickup-input"
          />
          <StopsEditor
            stops={stops}
            goods={goods}
            showGoodsErrors={state.showGoodsErrors}
            target={target}
            dispatch={dispatch}
            onChooseVehicle={chooseVehicle}
          />
          <VehiclePicker value={vehicleType} weightKg={goods.weightKg} onChange={chooseVehicle} />
          <label className="switch handover-pins">
            <input
              type="checkbox"
              checked={state.handoverPins}
              onChange={(e) => dispatch({ type: 'handoverPinsToggled', on: e.target.checked })}
              data-testid="handover-pins"
              aria-describedby="handover-pins-hint"
            />
            Handover PINs
          </label>
          <p className="field__hint handover-pins__hint" id="handover-pins-hint">
            The driver asks for a 4-digit PIN at the pickup and at each drop-off. You see the PINs on the
            booking once a driver is assigned: pass each one to the person there.
          </p>
          {state.error !== null && <ErrorBanner message={state.error} />}
          <button
            type="submit"
            className="btn btn--primary btn--block"
            disabled={quoting || !placesSet || overCapacity}
            data-testid="get-quote"
          >
            {quoting ? 'Pricing…' : quote === null ? 'Get price' : 'Refresh price'}
          </button>
        </form>
        {quote !== null && (
          <QuotePanel
            quote={quote}
            schedule={state.schedule}
            scheduledAt={state.scheduledAt}
            booking={state.booking}
            canBook={!overCapacity}
            onSchedule={(on) => dispatch({ type: 'scheduleToggled', on })}
            onScheduledAt={(value) => dispatch({ type: 'scheduledAtChanged', value })}
            onBook={() => void book()}
          />
        )}
      </Card>
      <MapView
        markers={markers}
        route={route}
        onPick={(position) => dispatch({ type: 'mapPicked', position })}
        fitKey={fitKey}
        className="map--tall"
        testId="booking-map"
      />
    </div>
  );
}
