import { useId } from 'react';
import type { VehicleType } from '@loadline/contracts';
import type { GoodsCheck } from './capacity';

/**
 * What the customer sends: description and weight, with the capacity message
 * (and a button for the smallest vehicle that carries the weight).
 */
export function GoodsFields({
  description,
  weightText,
  descriptionMessage,
  weightMessage,
  larger,
  onDescription,
  onWeight,
  onChooseVehicle,
  legend = 'What are you sending?',
  testIdPrefix = 'goods',
}: {
  description: string;
  weightText: string;
  descriptionMessage: string | null;
  weightMessage: string | null;
  larger: GoodsCheck['larger'];
  onDescription: (value: string) => void;
  onWeight: (value: string) => void;
  onChooseVehicle: (type: VehicleType) => void;
  legend?: string;
  /** Several stops each have these fields: their test IDs differ by this prefix. */
  testIdPrefix?: string;
}) {
  const errorId = useId();
  return (
    <fieldset className="goods">
      <legend>
        {legend} <em className="muted">(optional)</em>
      </legend>
      <div className="goods__row">
        <label className={descriptionMessage === null ? 'field' : 'field field--invalid'}>
          <span>Goods</span>
          <input
            data-testid={`${testIdPrefix}-description`}
            placeholder="e.g. 12 cartons of books"
            maxLength={500}
            value={description}
            onChange={(e) => onDescription(e.target.value)}
          />
          {descriptionMessage !== null && <span className="field__error">{descriptionMessage}</span>}
        </label>
        <label className={weightMessage === null ? 'field' : 'field field--invalid'}>
          <span>Weight</span>
          <span className="input-unit">
            <input
              data-testid={`${testIdPrefix}-weight`}
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="120"
              value={weightText}
              onChange={(e) => onWeight(e.target.value)}
              aria-describedby={weightMessage === null ? undefined : errorId}
            />
            <span aria-hidden="true">kg</span>
          </span>
        </label>
      </div>
      {weightMessage !== null && (
        <div className="banner banner--warn" id={errorId} role="alert" data-testid={`${testIdPrefix}-error`}>
          <span>{weightMessage}</span>
          {larger !== null && (
            <button
              type="button"
              className="btn btn--small btn--primary"
              onClick={() => onChooseVehicle(larger.type)}
              data-testid="suggest-vehicle"
            >
              Use {larger.label.toLowerCase()}
            </button>
          )}
        </div>
      )}
    </fieldset>
  );
}
