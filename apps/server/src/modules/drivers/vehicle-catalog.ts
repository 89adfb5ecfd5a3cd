// The capacities are a fact of the public contract, shared with the web app's capacity check.
export { VEHICLE_CAPACITY_KG } from '@loadline/contracts';

/** Plates compare without case, spaces or dashes: "ka 01-ab 1234" and "KA01AB1234" are one plate. */
export function normalizePlate(plate: string): string {
  return plate.toUpperCase().replace(/[\s-]+/g, '');
}
