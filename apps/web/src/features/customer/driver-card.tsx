import type { VehicleType } from '@loadline/contracts';
import { vehicleLabel } from '../../domain/vehicles';

export interface ShownDriver {
  name: string;
  phone: string | null;
  vehicle: { type: VehicleType; plate: string };
}

/** Up to two initials for the photo placeholder: "Ravi Kumar" -> "RK". */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => Array.from(word ?? '')[0]?.toUpperCase() ?? '').join('') || '?';
}

/** A phone number as a `tel:` link target: the digits and a leading +, nothing else. */
export function telHref(phone: string): string {
  const trimmed = phone.trim();
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${trimmed.replace(/\D/g, '')}`;
}

/** The driver on a booking: photo placeholder, name, vehicle and plate; a call link while the trip is on. */
export function DriverCard({ driver, callable }: { driver: ShownDriver; callable: boolean }) {
  return (
    <div className="driver-card" data-testid="driver-info">
      <span className="driver-card__photo" aria-hidden="true">
        {initials(driver.name)}
      </span>
      <span className="driver-card__text">
        <strong data-testid="driver-name">{driver.name}</strong>
        <span>
          {vehicleLabel(driver.vehicle.type)} <span className="mono plate">{driver.vehicle.plate}</span>
        </span>
      </span>
      {callable && driver.phone !== null && (
        <a className="btn btn--primary btn--small" href={telHref(driver.phone)} data-testid="call-driver">
          Call {driver.name.split(/\s+/)[0]}
        </a>
      )}
    </div>
  );
}
