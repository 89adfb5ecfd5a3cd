import type { VehicleType } from '@loadline/contracts';
import { radioGroupKeys, radioTabIndex } from '../../components/radio-group';
import { VEHICLES } from '../../domain/vehicles';
import { tooSmall } from './capacity';

const TYPES = VEHICLES.map((v) => v.type);

/**
 * One radio per vehicle type with its capacity (one Tab stop; arrow keys choose);
 * the ones too small for the typed weight say so.
 */
export function VehiclePicker({
  value,
  weightKg,
  onChange,
}: {
  value: VehicleType;
  weightKg: number | null;
  onChange: (type: VehicleType) => void;
}) {
  return (
    <div className="field">
      <span>Vehicle</span>
      <div
        className="vehicles"
        role="radiogroup"
        aria-label="Vehicle type"
        onKeyDown={radioGroupKeys(TYPES, value, onChange)}
      >
        {VEHICLES.map((v) => {
          const small = tooSmall(v, weightKg);
          return (
            <button
              key={v.type}
              type="button"
              role="radio"
              aria-checked={value === v.type}
              tabIndex={radioTabIndex(TYPES, value, v.type)}
              className={[
                'vehicle',
                value === v.type ? 'is-active' : '',
                small ? 'vehicle--too-small' : '',
              ].join(' ')}
              onClick={() => onChange(v.type)}
              data-testid={`vehicle-${v.type}`}
            >
              <strong>{v.label}</strong>
              <span>{small ? 'too small' : `up to ${v.capacityKg.toLocaleString()} kg`}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
