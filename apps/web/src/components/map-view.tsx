import { useEffect, useEffectEvent, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface MapMarker {
  id: string;
  position: LatLng;
  kind: 'pickup' | 'dropoff' | 'driver';
  label?: string;
  /** Animate between successive positions instead of jumping. */
  smooth?: boolean;
  testId?: string;
}

export interface MapPoint {
  id: string;
  position: LatLng;
  color: string;
  title?: string;
}

interface MapViewProps {
  markers?: MapMarker[];
  /** Many lightweight dots drawn on canvas (the admin fleet). */
  points?: MapPoint[];
  route?: LatLng[];
  onPick?: (position: LatLng) => void;
  /** Changing this refits the view to the markers. */
  fitKey?: string;
  center?: LatLng;
  className?: string;
  testId?: string;
}

const TILE_URL: string = (import.meta.env.VITE_TILE_URL as string | undefined) ?? '';
const DEFAULT_CENTER: LatLng = { lat: 12.9716, lng: 77.5946 };
const ANIMATION_MS = 950;

function iconFor(marker: MapMarker): L.DivIcon {
  const letter = marker.kind === 'pickup' ? 'A' : marker.kind === 'dropoff' ? 'B' : '';
  const testId = marker.testId === undefined ? '' : ` data-testid="${marker.testId}"`;
  return L.divIcon({
    className: 'map-pin-wrap',
    html: `<div class="map-pin map-pin--${marker.kind}"${testId} title="${marker.label ?? ''}">${letter}</div>`,
    iconSize: marker.kind === 'driver' ? [26, 26] : [28, 28],
    iconAnchor: marker.kind === 'driver' ? [13, 13] : [14, 14],
  });
}

interface MarkerEntry {
  marker: L.Marker;
  kind: string;
  testId: string | undefined;
  frame: number | null;
}

/**
 * A Leaflet map driven by props. Tiles come from VITE_TILE_URL; without one (or when tiles fail)
 * the map keeps a plain background so markers and the route stay readable.
 */
export function MapView({
  markers = [],
  points = [],
  route,
  onPick,
  fitKey,
  center,
  className,
  testId,
}: MapViewProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<L.Map | null>(null);
  const markersRef = useRef(new Map<string, MarkerEntry>());
  const pointsRef = useRef(new Map<string, L.CircleMarker>());
  const routeRef = useRef<L.Polyline | null>(null);
  const rendererRef = useRef<L.Canvas | null>(null);
  // The map is made once, where the first render asks; later centers are applied by the effects below.
  const startAt = useEffectEvent(() => center ?? DEFAULT_CENTER);
  const pick = useEffectEvent((position: LatLng) => onPick?.(position));

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) {
      return;
    }
    const start = startAt();
    const map = L.map(container, {
      center: [start.lat, start.lng],
      zoom: 12,
      preferCanvas: true,
      attributionControl: TILE_URL !== '',
    });
    rendererRef.current = L.canvas({ padding: 0.5 });
    if (TILE_URL !== '') {
      let failures = 0;
      const tiles = L.tileLayer(TILE_URL, { maxZoom: 19, attribution: '&copy; map data contributors' });
      tiles.on('tileerror', () => {
        failures += 1;
        if (failures >= 4) {
          // Offline or a bad URL: drop the layer rather than show a grid of broken images.
          map.removeLayer(tiles);
          container.classList.add('map--plain');
        }
      });
      tiles.addTo(map);
    } else {
      container.classList.add('map--plain');
    }
    map.on('click', (event: L.LeafletMouseEvent) => {
      pick({
        lat: Number(event.latlng.lat.toFixed(6)),
        lng: Number(event.latlng.lng.toFixed(6)),
      });
    });
    mapRef.current = map;
    const markerEntries = markersRef.current;
    const pointEntries = pointsRef.current;
    const observer = new ResizeObserver(() => map.invalidateSize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      for (const entry of markerEntries.values()) {
        if (entry.frame !== null) {
          cancelAnimationFrame(entry.frame);
        }
      }
      markerEntries.clear();
      pointEntries.clear();
      routeRef.current = null;
      map.remove();
      mapRef.current = null;
    };
    // The map is created once; later props are applied by the effects below.
  }, []);

  // Markers: add, move (optionally animated), remove.
  useEffect(() => {
    const map = mapRef.current;
    if (map === null) {
      return;
    }
    const entries = markersRef.current;
    const seen = new Set<string>();
    for (const spec of markers) {
      seen.add(spec.id);
      const existing = entries.get(spec.id);
      if (existing === undefined) {
        const marker = L.marker([spec.position.lat, spec.position.lng], {
          icon: iconFor(spec),
          keyboard: false,
        });
        marker.addTo(map);
        entries.set(spec.id, { marker, kind: spec.kind, testId: spec.testId, frame: null });
        continue;
      }
      if (existing.kind !== spec.kind || existing.testId !== spec.testId) {
        existing.marker.setIcon(iconFor(spec));
        existing.kind = spec.kind;
        existing.testId = spec.testId;
      }
      const from = existing.marker.getLatLng();
      if (from.lat === spec.position.lat && from.lng === spec.position.lng) {
        continue;
      }
      if (existing.frame !== null) {
        cancelAnimationFrame(existing.frame);
        existing.frame = null;
      }
      if (spec.smooth !== true) {
        existing.marker.setLatLng([spec.position.lat, spec.position.lng]);
        continue;
      }
      const startedAt = performance.now();
      const to = spec.position;
      const step = (now: number) => {
        const t = Math.min(1, (now - startedAt) / ANIMATION_MS);
        existing.marker.setLatLng([from.lat + (to.lat - from.lat) * t, from.lng + (to.lng - from.lng) * t]);
        existing.frame = t < 1 ? requestAnimationFrame(step) : null;
      };
      existing.frame = requestAnimationFrame(step);
    }
    for (const [id, entry] of entries) {
      if (!seen.has(id)) {
        if (entry.frame !== null) {
          cancelAnimationFrame(entry.frame);
        }
        entry.marker.remove();
        entries.delete(id);
      }
    }
  }, [markers]);

  // Canvas points (fleet).
  useEffect(() => {
    const map = mapRef.current;
    const renderer = rendererRef.current;
    if (map === null || renderer === null) {
      return;
    }
    const entries = pointsRef.current;
    const seen = new Set<string>();
    for (const point of points) {
      seen.add(point.id);
      const existing = entries.get(point.id);
      if (existing === undefined) {
        const circle = L.circleMarker([point.position.lat, point.position.lng], {
          renderer,
          radius: 7,
          weight: 2,
          color: '#ffffff',
          fillColor: point.color,
          fillOpacity: 0.9,
        });
        if (point.title !== undefined) {
          circle.bindTooltip(point.title);
        }
        circle.addTo(map);
        entries.set(point.id, circle);
      } else {
        existing.setLatLng([point.position.lat, point.position.lng]);
        existing.setStyle({ fillColor: point.color });
      }
    }
    for (const [id, circle] of entries) {
      if (!seen.has(id)) {
        circle.remove();
        entries.delete(id);
      }
    }
    // How many points are drawn on the canvas: the canvas has no DOM per point, so tests and tools read this.
    containerRef.current?.setAttribute('data-points', String(entries.size));
  }, [points]);

  // Route line.
  useEffect(() => {
    const map = mapRef.current;
    if (map === null) {
      return;
    }
    if (route === undefined || route.length < 2) {
      routeRef.current?.remove();
      routeRef.current = null;
      return;
    }
    const latlngs = route.map((p): L.LatLngTuple => [p.lat, p.lng]);
    if (routeRef.current === null) {
      routeRef.current = L.polyline(latlngs, {
        color: '#1d4ed8',
        weight: 4,
        opacity: 0.75,
        dashArray: '8 6',
      }).addTo(map);
    } else {
      routeRef.current.setLatLngs(latlngs);
    }
  }, [route]);

  // Fit to the markers when the caller says the subject changed.
  const fit = useEffectEvent(() => {
    const map = mapRef.current;
    if (map === null || fitKey === undefined) {
      return;
    }
    // Markers decide the view; a map of only canvas points (the fleet) fits to those instead.
    const subjects = markers.length > 0 ? markers : points;
    const positions = subjects.map((m): L.LatLngTuple => [m.position.lat, m.position.lng]);
    if (positions.length === 1 && positions[0] !== undefined) {
      map.setView(positions[0], Math.max(map.getZoom(), 13));
    } else if (positions.length > 1) {
      map.fitBounds(L.latLngBounds(positions), { padding: [40, 40], maxZoom: 15 });
    }
  });
  // Only the key triggers a refit; marker moves must not fight the user's panning.
  useEffect(() => fit(), [fitKey]);

  return <div ref={containerRef} className={`map ${className ?? ''}`} data-testid={testId} />;
}
