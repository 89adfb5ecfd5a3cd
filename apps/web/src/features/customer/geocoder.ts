import { GAZETTEER_CITY, searchGazetteer } from './gazetteer';

/** One answer to an address search: a place the customer can pick. */
export interface PlaceSuggestion {
  id: string;
  /** The place's own name: the first line of the suggestion. */
  name: string;
  /** Where it is: the second line. */
  detail: string;
  lat: number;
  lng: number;
}

export interface PlaceSearch {
  suggestions: PlaceSuggestion[];
  /** Where the suggestions came from: the configured geocoder or the built-in list of places. */
  source: 'geocoder' | 'gazetteer';
  /** True when a geocoder is configured but did not answer, so the built-in list stood in. */
  fallback: boolean;
}

/**
 * A Nominatim-compatible search endpoint (`GET <url>?q=...&format=json`), e.g.
 * `https://nominatim.example.org/search`. Unset: only the built-in list is searched.
 */
const GEOCODER_URL: string = ((import.meta.env.VITE_GEOCODER_URL as string | undefined) ?? '').trim();
const TIMEOUT_MS = 4000;
const LIMIT = 6;
/** The city area searches are biased to (Nominatim's viewbox: west, north, east, south). */
const VIEWBOX = '77.35,13.25,77.85,12.75';
/** The contract caps a coordinate's address at 300 characters. */
const MAX_ADDRESS = 300;

export function geocoderConfigured(): boolean {
  return GEOCODER_URL !== '';
}

function gazetteerSuggestions(text: string): PlaceSuggestion[] {
  return searchGazetteer(text, LIMIT).map((place) => ({
    id: `gazetteer:${place.name}`,
    name: place.name,
    detail: `${place.area}, ${GAZETTEER_CITY}`,
    lat: place.lat,
    lng: place.lng,
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Nominatim's `format=json` answer: an array of `{ place_id, display_name, lat, lon }` with string numbers. */
function parseNominatim(body: unknown): PlaceSuggestion[] {
  if (!Array.isArray(body)) {
    throw new Error('unexpected geocoder answer');
  }
  const suggestions: PlaceSuggestion[] = [];
  for (const entry of body as unknown[]) {
    if (!isRecord(entry)) {
      continue;
    }
    const lat = Number(entry.lat);
    const lng = Number(entry.lon);
    const display = typeof entry.display_name === 'string' ? entry.display_name : '';
    if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      continue;
    }
    const parts = display.split(',').map((part) => part.trim());
    const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : (parts[0] ?? display);
    const detail = parts
      .filter((part) => part !== name)
      .slice(0, 3)
      .join(', ');
    suggestions.push({
      id: `geocoder:${typeof entry.place_id === 'number' || typeof entry.place_id === 'string' ? entry.place_id : `${lat},${lng}`}`,
      name: name.slice(0, MAX_ADDRESS),
      detail,
      lat,
      lng,
    });
  }
  return suggestions.slice(0, LIMIT);
}

async function searchGeocoder(text: string, signal: AbortSignal): Promise<PlaceSuggestion[]> {
  const url = new URL(GEOCODER_URL, window.location.origin);
  url.searchParams.set('q', text);
  url.searchParams.set('format', 'json');
  url.searchParams.set('limit', String(LIMIT));
  url.searchParams.set('viewbox', VIEWBOX);
  const timeout = new AbortController();
  const timer = window.setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const onAbort = () => timeout.abort();
  signal.addEventListener('abort', onAbort);
  try {
    const response = await fetch(url, { signal: timeout.signal, headers: { accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(`geocoder answered ${response.status}`);
    }
    return parseNominatim(await response.json());
  } finally {
    window.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Places matching what the customer typed: from the configured geocoder when
 * there is one and it answers, else (or when it finds nothing) from the
 * built-in list of well-known places. Rejects only when `signal` aborts.
 */
export async function searchPlaces(text: string, signal: AbortSignal): Promise<PlaceSearch> {
  const trimmed = text.trim();
  if (GEOCODER_URL === '') {
    return { suggestions: gazetteerSuggestions(trimmed), source: 'gazetteer', fallback: false };
  }
  try {
    const suggestions = await searchGeocoder(trimmed, signal);
    if (suggestions.length > 0) {
      return { suggestions, source: 'geocoder', fallback: false };
    }
    return { suggestions: gazetteerSuggestions(trimmed), source: 'gazetteer', fallback: false };
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    return { suggestions: gazetteerSuggestions(trimmed), source: 'gazetteer', fallback: true };
  }
}

/** A short label for a picked suggestion, used as the coordinate's `address`. */
export function addressOf(suggestion: PlaceSuggestion): string {
  const text = suggestion.detail === '' ? suggestion.name : `${suggestion.name}, ${suggestion.detail}`;
  return text.slice(0, MAX_ADDRESS);
}
