/** Formatting shared by the admin views. */

export function pct(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

export function minutes(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} min`;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function count(value: number): string {
  return whole.format(value);
}

export function compactCount(value: number): string {
  return compact.format(value);
}

/** Revenue from minor units, in the analytics answer's currency (whole units from 10,000 up). */
export function revenue(minor: number, currency: string): string {
  const major = minor / 100;
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    maximumFractionDigits: Math.abs(major) < 10_000 ? 2 : 0,
  }).format(major);
}

/** "in 3 min 20 s", "in 1 h 05 min"; null when unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * How long something took, as measured: "340 ms" under a second, "2.4 s"
 * under ten, then as `duration` ("1 min 05 s"); "—" when unknown.
 */
export function elapsed(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  const ms = Math.round(seconds * 1000);
  if (ms < 1000) {
    return `${Math.max(1, ms)} ms`;
  }
  if (seconds < 10) {
    return `${Math.max(1, Math.floor(seconds * 10) / 10).toFixed(1)} s`;
  }
  return duration(seconds);
}

/** A UTC calendar day as YYYY-MM-DD (the analytics API's day). */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The day `days` after (or before, when negative) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return utcDay(date);
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 3660; day = addDays(day, 1)) {
    days.push(day);
  }
  return days;
}

/** "12 Mar" for a YYYY-MM-DD day (shown in UTC, as the API counts it). */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}

export function longDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
