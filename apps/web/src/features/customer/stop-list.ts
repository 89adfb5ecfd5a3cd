import { MAX_STOPS, type Coordinates, type Goods, type StopRecipient } from '@loadline/contracts';

/** One drop-off as the customer edits it: where, who takes the goods, and what goes there. */
export interface StopDraft {
  /** Stable across reorders, so React keeps each stop's fields (and focus) with it. */
  key: string;
  place: Coordinates | null;
  recipientName: string;
  recipientPhone: string;
  description: string;
  weightText: string;
}

/** What an earlier booking's stop gives a new draft ("Book again"). */
export interface StopTemplate {
  location: Coordinates;
  recipient: StopRecipient | null;
  goods: Goods | null;
}

export function emptyStop(key: string): StopDraft {
  return { key, place: null, recipientName: '', recipientPhone: '', description: '', weightText: '' };
}

export function stopFromTemplate(key: string, template: StopTemplate): StopDraft {
  return {
    key,
    place: template.location,
    recipientName: template.recipient?.name ?? '',
    recipientPhone: template.recipient?.phone ?? '',
    description: template.goods?.description ?? '',
    weightText: template.goods === null ? '' : String(template.goods.weightKg),
  };
}

export function canAddStop(stops: readonly StopDraft[]): boolean {
  return stops.length < MAX_STOPS;
}

/** A new empty stop at the end; the list as it was when it already has the most a booking takes. */
export function addStop(stops: readonly StopDraft[], key: string): StopDraft[] {
  return canAddStop(stops) ? [...stops, emptyStop(key)] : [...stops];
}

/** Without the stop `key`; the last remaining stop stays (a booking has at least one drop-off). */
export function removeStop(stops: readonly StopDraft[], key: string): StopDraft[] {
  return stops.length <= 1 ? [...stops] : stops.filter((stop) => stop.key !== key);
}

/** The stop `key` one place earlier (-1) or later (1); unchanged at either end. */
export function moveStop(stops: readonly StopDraft[], key: string, by: -1 | 1): StopDraft[] {
  const from = stops.findIndex((stop) => stop.key === key);
  const to = from + by;
  if (from < 0 || to < 0 || to >= stops.length) {
    return [...stops];
  }
  const moved = [...stops];
  const [stop] = moved.splice(from, 1);
  if (stop !== undefined) {
    moved.splice(to, 0, stop);
  }
  return moved;
}

export type StopEdit = Partial<Omit<StopDraft, 'key'>>;

export function updateStop(stops: readonly StopDraft[], key: string, edit: StopEdit): StopDraft[] {
  return stops.map((stop) => (stop.key === key ? { ...stop, ...edit } : stop));
}

/** Whether the stop names who takes the goods (either field typed). */
export function hasRecipient(stop: StopDraft): boolean {
  return stop.recipientName.trim() !== '' || stop.recipientPhone.trim() !== '';
}

/** The label a stop goes by: "Drop-off" alone, else numbered in order. */
export function stopLabel(index: number, count: number): string {
  return count === 1 ? 'Drop-off' : `Drop-off ${index + 1}`;
}
