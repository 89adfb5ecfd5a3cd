import { useEffect, useState } from 'react';
import type { VehicleType } from '@loadline/contracts';
import type { BookingFormAction, PlaceTarget } from './booking-form-state';
import { GoodsFields } from './goods-fields';
import { PlaceField } from './place-field';
import { canAddStop, hasRecipient, stopLabel, type StopDraft } from './stop-list';
import type { TripGoodsCheck } from './trip-request';

type Dispatch = (action: BookingFormAction) => void;

/** The test ID of a stop's place input: the first keeps the one-drop-off form's `dropoff-input`. */
function placeTestId(index: number): string {
  return index === 0 ? 'dropoff-input' : `dropoff-input-${index + 1}`;
}

/** Who takes the goods at a stop: a name, and a phone the driver may call. */
function RecipientFields({ stop, index, dispatch }: { stop: StopDraft; index: number; dispatch: Dispatch }) {
  return (
    <div className="recipient-row">
      <label className="field">
        <span>Recipient</span>
        <input
          data-testid={`recipient-name-${index + 1}`}
          placeholder="Name"
          maxLength={200}
          autoComplete="off"
          value={stop.recipientName}
          onChange={(e) =>
            dispatch({ type: 'stopEdited', key: stop.key, edit: { recipientName: e.target.value } })
          }
        />
      </label>
      <label className="field">
        <span>Recipient&apos;s phone</span>
        <input
          data-testid={`recipient-phone-${index + 1}`}
          type="tel"
          inputMode="tel"
          placeholder="+91 98450 12345"
          maxLength={24}
          autoComplete="off"
          value={stop.recipientPhone}
          onChange={(e) =>
            dispatch({ type: 'stopEdited', key: stop.key, edit: { recipientPhone: e.target.value } })
          }
        />
      </label>
    </div>
  );
}

/**
 * One drop-off's recipient, folded away until wanted: it opens by itself when
 * a recipient is filled in (an earlier booking's), and stays as the customer
 * leaves it while they type or clear the fields.
 */
function RecipientDetails({ stop, index, dispatch }: { stop: StopDraft; index: number; dispatch: Dispatch }) {
  const named = hasRecipient(stop);
  const [open, setOpen] = useState(named);
  const [wasNamed, setWasNamed] = useState(named);
  if (named !== wasNamed) {
    setWasNamed(named);
    if (named) {
      setOpen(true);
    }
  }
  return (
    <details className="stop-draft__recipient" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Who receives it? <em className="muted">(optional)</em>
      </summary>
      <RecipientFields stop={stop} index={index} dispatch={dispatch} />
    </details>
  );
}

interface MoveRequest {
  key: string;
  by: -1 | 1;
}

/** Up, down and remove for one stop of several; the moved stop keeps the focus on its button. */
function StopTools({
  stop,
  index,
  count,
  dispatch,
  onMove,
}: {
  stop: StopDraft;
  index: number;
  count: number;
  dispatch: Dispatch;
  onMove: (move: MoveRequest) => void;
}) {
  const label = stopLabel(index, count);
  return (
    <span className="stop-draft__tools">
      <button
        type="button"
        className="btn btn--small btn--ghost"
        aria-label={`Move ${label} up`}
        disabled={index === 0}
        data-move={`${stop.key}:-1`}
        onClick={() => onMove({ key: stop.key, by: -1 })}
      >
        ↑
      </button>
      <button
        type="button"
        className="btn btn--small btn--ghost"
        aria-label={`Move ${label} down`}
        disabled={index === count - 1}
        data-move={`${stop.key}:1`}
        onClick={() => onMove({ key: stop.key, by: 1 })}
      >
        ↓
      </button>
      <button
        type="button"
        className="btn btn--small btn--ghost"
        aria-label={`Remove ${label}`}
        data-testid={`remove-stop-${index + 1}`}
        onClick={() => dispatch({ type: 'stopRemoved', key: stop.key })}
      >
        Remove
      </button>
    </span>
  );
}

/**
 * The drop-offs: one looks as the v1 form did (place, goods, an optional
 * recipient); several are numbered cards the customer reorders with buttons,
 * each with its own recipient and goods, the vehicle judged on their total.
 */
export function StopsEditor({
  stops,
  goods,
  showGoodsErrors,
  target,
  dispatch,
  onChooseVehicle,
}: {
  stops: readonly StopDraft[];
  goods: TripGoodsCheck;
  showGoodsErrors: boolean;
  target: PlaceTarget;
  dispatch: Dispatch;
  onChooseVehicle: (type: VehicleType) => void;
}) {
  const [moved, setMoved] = useState<MoveRequest | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const several = stops.length > 1;
  const totalLarger = goods.larger;

  // A moved stop's button keeps the focus; at an end, where that button is disabled, its other one takes it.
  useEffect(() => {
    if (moved === null) {
      return;
    }
    const same = document.querySelector<HTMLButtonElement>(`[data-move="${moved.key}:${moved.by}"]`);
    const other = document.querySelector<HTMLButtonElement>(`[data-move="${moved.key}:${-moved.by}"]`);
    (same !== null && !same.disabled ? same : other)?.focus();
  }, [moved, stops]);

  const move = (request: MoveRequest) => {
    const from = stops.findIndex((stop) => stop.key === request.key);
    dispatch({ type: 'stopMoved', key: request.key, by: request.by });
    setMoved(request);
    setAnnouncement(`Drop-off moved to position ${from + request.by + 1} of ${stops.length}.`);
  };

  return (
    <div className="stops-editor">
      <ol
        className={several ? 'stops-editor__list is-several' : 'stops-editor__list'}
        data-testid="stops-editor"
      >
        {stops.map((stop, index) => {
          const label = stopLabel(index, stops.length);
          const check = goods.stops[index];
          const descriptionMessage = showGoodsErrors ? (check?.descriptionError ?? null) : null;
          // One stop: the weight against the vehicle, as v1. Several: each weight's own error; the total below.
          const weightMessage = several
            ? showGoodsErrors
              ? (check?.weightError ?? null)
              : null
            : goods.overCapacity || showGoodsErrors
              ? (check?.weightError ?? null)
              : null;
          return (
            <li key={stop.key} className="stop-draft" data-testid="stop-draft" data-seq={index + 1}>
              {several && (
                <div className="stop-draft__head">
                  <span className="stop-badge" aria-hidden="true">
                    {index + 1}
                  </span>
                  <StopTools
                    stop={stop}
                    index={index}
                    count={stops.length}
                    dispatch={dispatch}
                    onMove={move}
                  />
                </div>
              )}
              <PlaceField
                label={label}
                value={stop.place}
                onChange={(place) => dispatch({ type: 'placeEntered', which: stop.key, place })}
                active={target === stop.key}
                onActivate={() => dispatch({ type: 'targetChosen', target: stop.key })}
                testId={placeTestId(index)}
              />
              {several ? (
                <RecipientFields stop={stop} index={index} dispatch={dispatch} />
              ) : (
                <RecipientDetails stop={stop} index={index} dispatch={dispatch} />
              )}
              <GoodsFields
                legend={several ? `What goes to ${label.toLowerCase()}?` : 'What are you sending?'}
                testIdPrefix={several ? `goods-${index + 1}` : 'goods'}
                description={stop.description}
                weightText={stop.weightText}
                descriptionMessage={descriptionMessage}
                weightMessage={weightMessage}
                larger={several ? null : goods.larger}
                onDescription={(value) =>
                  dispatch({ type: 'stopEdited', key: stop.key, edit: { description: value } })
                }
                onWeight={(value) =>
                  dispatch({ type: 'stopEdited', key: stop.key, edit: { weightText: value } })
                }
                onChooseVehicle={onChooseVehicle}
              />
            </li>
          );
        })}
      </ol>
      {several && goods.totalError !== null && (
        <div className="banner banner--warn" role="alert" data-testid="goods-error">
          <span>{goods.totalError}</span>
          {totalLarger !== null && (
            <button
              type="button"
              className="btn btn--small btn--primary"
              onClick={() => onChooseVehicle(totalLarger.type)}
              data-testid="suggest-vehicle"
            >
              Use {totalLarger.label.toLowerCase()}
            </button>
          )}
        </div>
      )}
      <div className="row row--wrap stops-editor__add">
        <button
          type="button"
          className="btn btn--small btn--ghost"
          disabled={!canAddStop(stops)}
          onClick={() => dispatch({ type: 'stopAdded' })}
          data-testid="add-stop"
        >
          + Add a drop-off
        </button>
        {!canAddStop(stops) && <span className="muted">A booking takes up to {stops.length} drop-offs.</span>}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
