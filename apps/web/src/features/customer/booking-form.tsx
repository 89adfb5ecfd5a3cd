import { useEffect, useMemo, useReducer, useState, type SyntheticEvent } from 'react';
import { bookingRefOf, type VehicleType } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { newIdempotencyKey } from '../../api/idempotency-key';
import { MapView, type MapMarker } from '../../components/map-view';
import { Card, ErrorBanner } from '../../components/ui';
import { navigate } from '../../router';
import { parseAgain } from './book-again';
import { bookingFormReducer, initialBookingForm, scheduledPickup } from './booking-form-state';
import { checkGoods } from './capacity';
import { GoodsFields } from './goods-fields';
import { PlaceField } from './place-field';
import { QuotePanel } from './quote-panel';
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

/** Pick two places, say what goes, pick a vehicle, get a quote, then book now or schedule. */
export function BookingForm() {
  const [state, dispatch] = useReducer(bookingFormReducer, initialBookingForm);
  const { pickup, dropoff, target, vehicleType, quote, quoting } = state;
  const prefill = usePrefill(dispatch);

  const goodsCheck = checkGoods(state.description, state.weightText, vehicleType);
  // Capacity is checked as soon as a weight is typed: it decides which vehicle to pick.
  const overCapacity = goodsCheck.overCapacity;
  const weightMessage = overCapacity || state.showGoodsErrors ? goodsCheck.weightError : null;
  const descriptionMessage = state.showGoodsErrors ? goodsCheck.descriptionError : null;

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
    if (dropoff !== null) {
      list.push({
        id: 'dropoff',
        kind: 'dropoff',
        position: dropoff,
        label: dropoff.address ?? 'Drop-off',
        testId: 'dropoff-marker',
      });
    }
    return list;
  }, [pickup, dropoff]);
  const route = useMemo(
    () => (pickup !== null && dropoff !== null ? [pickup, dropoff] : undefined),
    [pickup, dropoff],
  );
  const fitKey = state.fitCount === 0 ? undefined : String(state.fitCount);

  const getQuote = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (pickup === null || dropoff === null) {
      dispatch({
        type: 'invalid',
        message: 'Set both pickup and drop-off: search a place, click the map or type "lat, lng".',
      });
      return;
    }
    if (!goodsCheck.valid) {
      dispatch({ type: 'goodsErrorsShown' });
      return;
    }
    dispatch({ type: 'quoteRequested' });
    try {
      const received = await api('quotes.create', { body: { pickup, dropoff, vehicleType } });
      dispatch({ type: 'quoteReceived', quote: received, idempotencyKey: newIdempotencyKey() });
    } catch (caught) {
      dispatch({ type: 'quoteFailed', message: errorMessage(caught) });
    }
  };

  const book = async () => {
    if (quote === null || state.idempotencyKey === null) {
      return;
    }
    if (!goodsCheck.valid) {
      dispatch({ type: 'goodsErrorsShown' });
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
          ...(goodsCheck.goods === null ? {} : { goods: goodsCheck.goods }),
          ...(when.scheduledAt === undefined ? {} : { scheduledAt: when.scheduledAt }),
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
            onChange={(place) => dispatch({ type: 'placeEntered', which: 'pickup', place })}
            active={target === 'pickup'}
            onActivate={() => dispatch({ type: 'targetChosen', target: 'pickup' })}
            testId="pickup-input"
          />
          <PlaceField
            label="Drop-off"
            value={dropoff}
            onChange={(place) => dispatch({ type: 'placeEntered', which: 'dropoff', place })}
            active={target === 'dropoff'}
            onActivate={() => dispatch({ type: 'targetChosen', target: 'dropoff' })}
            testId="dropoff-input"
          />
          <GoodsFields
            description={state.description}
            weightText={state.weightText}
            descriptionMessage={descriptionMessage}
            weightMessage={weightMessage}
            larger={goodsCheck.larger}
            onDescription={(value) => dispatch({ type: 'descriptionChanged', value })}
            onWeight={(value) => dispatch({ type: 'weightChanged', value })}
            onChooseVehicle={chooseVehicle}
          />
          <VehiclePicker value={vehicleType} weightKg={goodsCheck.weightKg} onChange={chooseVehicle} />
          {state.error !== null && <ErrorBanner message={state.error} />}
          <button
            type="submit"
            className="btn btn--primary btn--block"
            disabled={quoting || pickup === null || dropoff === null || overCapacity}
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
