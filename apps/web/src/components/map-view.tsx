import { useEffect, useEffectEvent, useRef, useState } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { addBaseLayers, type TileState } from './map-layers';
import { useMapSettings } from './map-settings';
import { Glide } from './marker-motion';
import { PointsLayer } from './points-layer';
import { useRoadRoute } from './use-road-route';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface MapMarker {
  id: string;
  position: LatLng;
  kind: 'pickup' | 'dropoff' | 'driver';
  label?: string;
  /** Shown in the pin instead of its letter (A pickup, B drop-off): a stop's number on a trip with several. */
  text?: string;
  /** Drawn larger and outlined: the stop the driver heads for. */
  highlighted?: boolean;
  /** Glide between successive positions (over the interval they arrive at) instead of jumping. */
  smooth?: boolean;
  /** Degrees clockwise from north, for a driver's arrow; without it the arrow follows the marker's moves. */
  heading?: number | null;
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
  /** Many lightweight dots drawn on canvas (the admin fleet); they glide between updates. */
  points?: MapPoint[];
  /** A point was clicked or tapped. */
  onPointSelect?: (id: string) => void;
  /** Drawn larger and outlined. */
  selectedPointId?: string | null;
  route?: LatLng[];
  onPick?: (position: LatLng) => void;
  /** Changing this refits the view to the markers; so does a resize until the user moves the map. */
  fitKey?: string;
  center?: LatLng;
  className?: string;
  testId?: string;
  /** Names the map for screen readers. */
  label?: string;
}

const DEFAULT_CENTER: LatLng = { lat: 12.9716, lng: 77.5946 };
/** Room after a Leaflet timer is due, and for the frame in which Leaflet starts a wheel's zoom. */
const TIMER_MARGIN_MS = 50;
/** A zoom that has not ended by then never will: the map is removed regardless. */
const ZOOM_END_WAIT_MS = 5_000;

/**
 * Returns what takes `map` down once a zoom under way has ended: Leaflet ends a zoom's animation
 * from a timer it sets only after the zoom's first synchronous redraw (in `Map._animateZoom`), and
 * starts a wheel's zoom `wheelDebounceTime` after the wheel. A map removed before those fire
 * throws from them ("Cannot read properties of undefined (reading '_leaflet_pos')": its panes are
 * gone), as when a page is left while it zooms. A zoom's end is its `zoomend` event, not a time:
 * on a busy machine the redraw alone can outlast any margin.
 */
function removalOnceStill(map: L.Map, container: HTMLElement): () => void {
  let wheelUntil = 0;
  let animating = false;
  const onWheel = () => {
    wheelUntil = Math.max(
      wheelUntil,
      performance.now() + (map.options.wheelDebounceTime ?? 40) + TIMER_MARGIN_MS,
    );
  };
  map.on('zoomanim', () => {
    animating = true;
  });
  map.on('zoomend', () => {
    animating = false;
  });
  container.addEventListener('wheel', onWheel, { passive: true });
  let deadline = 0;
  let removed = false;
  const removeWhenStill = (): void => {
    if (removed) {
      return;
    }
    const now = performance.now();
    if (animating && now < deadline) {
      // After `zoomend` Leaflet's zoom has run its course; a margin lets the frame end.
      map.once('zoomend', () => window.setTimeout(removeWhenStill, TIMER_MARGIN_MS));
      window.setTimeout(removeWhenStill, deadline - now);
      return;
    }
    if (wheelUntil > now && now < deadline) {
      // A wheel's zoom may still start (and then set `animating`): look again then.
      window.setTimeout(removeWhenStill, wheelUntil - now);
      return;
    }
    removed = true;
    map.remove();
  };
  return () => {
    container.removeEventListener('wheel', onWheel);
    deadline = performance.now() + ZOOM_END_WAIT_MS;
    removeWhenStill();
  };
}

/** Labels may carry a customer's address text: it goes into the pin's HTML escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What a marker's icon is drawn from: a change to any of it redraws the icon. */
function iconKey(marker: MapMarker): string {
  return [
    marker.kind,
    marker.testId ?? '',
    marker.text ?? '',
    marker.highlighted === true ? '1' : '',
    marker.label ?? '',
  ].join('|');
}

function iconFor(marker: MapMarker): L.DivIcon {
  const letter = marker.text ?? (marker.kind === 'pickup' ? 'A' : marker.kind === 'dropoff' ? 'B' : '');
  const testId = marker.testId === undefined ? '' : ` data-testid="${marker.testId}"`;
  const arrow = marker.kind === 'driver' ? '<span class="map-pin__arrow" aria-hidden="true"></span>' : '';
  const highlighted = marker.highlighted === true ? ' map-pin--next' : '';
  return L.divIcon({
    className: 'map-pin-wrap',
    html: `<div class="map-pin map-pin--${marker.kind}${highlighted}"${testId} title="${escapeHtml(marker.label ?? '')}">${escapeHtml(letter)}${arrow}</div>`,
    iconSize: marker.kind === 'driver' ? [26, 26] : [28, 28],
    iconAnchor: marker.kind === 'driver' ? [13, 13] : [14, 14],
  });
}

interface MarkerEntry {
  marker: L.Marker;
  icon: string;
  glide: Glide;
}

/** Turns a driver's arrow to the glide's heading (hidden until one is known). */
function faceHeading(entry: MarkerEntry): void {
  const element = entry.marker.getElement()?.querySelector<HTMLElement>('.map-pin__arrow');
  if (element === null || element === undefined) {
    return;
  }
  const { heading } = entry.glide;
  element.style.display = heading === null ? 'none' : '';
  element.style.transform = `rotate(${heading ?? 0}deg)`;
  element.parentElement?.setAttribute('data-heading', heading === null ? '' : String(heading));
}

/**
 * A Leaflet map driven by props. Tiles come from the server's settings at run
 * time (OpenStreetMap's by default), over an offline grid that takes over when
 * they fail; a metric scale bar; markers and canvas points glide between the
 * positions they are given, in one animation frame loop.
 */
export function MapView({
  markers = [],
  points = [],
  onPointSelect,
  selectedPointId = null,
  route,
  onPick,
  fitKey,
  center,
  className,
  testId,
  label,
}: MapViewProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<L.Map | null>(null);
  const markersRef = useRef(new Map<string, MarkerEntry>());
  const pointsRef = useRef<PointsLayer | null>(null);
  const routeRef = useRef<L.Polyline | null>(null);
  const frameRef = useRef<number | null>(null);
  // A map the user panned or zoomed keeps its view on resize; a programmatic fit does not count.
  const userMovedRef = useRef(false);
  const fittingRef = useRef(false);
  const settings = useMapSettings();
  const [tiles, setTiles] = useState<TileState>('loading');
  const drawn = useRoadRoute(route, settings?.routing ?? false);
  // The map is made once, where the first render asks; later centers are applied by the effects below.
  const startAt = useEffectEvent(() => center ?? DEFAULT_CENTER);
  const pick = useEffectEvent((position: LatLng) => onPick?.(position));
  const select = useEffectEvent((id: string) => onPointSelect?.(id));

  // Starts the frame loop that glides markers and points (set when the map is made).
  const startAnimationRef = useRef<() => void>(() => undefined);

  const fit = useEffectEvent(() => {
    const map = mapRef.current;
    if (map === null || fitKey === undefined) {
      return;
    }
    // Markers decide the view; a map of only canvas points (the fleet) fits to those instead.
    const subjects = markers.length > 0 ? markers : points;
    const positions = subjects.map((m): L.LatLngTuple => [m.position.lat, m.position.lng]);
    fittingRef.current = true;
    if (positions.length === 1 && positions[0] !== undefined) {
      map.setView(positions[0], Math.max(map.getZoom(), 13), { animate: false });
    } else if (positions.length > 1) {
      map.fitBounds(L.latLngBounds(positions), { padding: [40, 40], maxZoom: 15, animate: false });
    }
    fittingRef.current = false;
  });

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
    });
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
    const pointsLayer = new PointsLayer((id) => select(id));
    pointsLayer.addTo(map);
    pointsRef.current = pointsLayer;
    map.on('click', (event: L.LeafletMouseEvent) => {
      pick({
        lat: Number(event.latlng.lat.toFixed(6)),
        lng: Number(event.latlng.lng.toFixed(6)),
      });
    });
    map.on('movestart', () => {
      if (!fittingRef.current) {
        userMovedRef.current = true;
      }
    });
    mapRef.current = map;
    const markerEntries = markersRef.current;
    // One loop for every glide: moves each marker and point to where it is now, again while any is moving.
    const frame = (now: number) => {
      frameRef.current = null;
      let moving = false;
      for (const entry of markerEntries.values()) {
        const position = entry.glide.positionAt(now);
        entry.marker.setLatLng([position.lat, position.lng]);
        moving ||= entry.glide.movingAt(now);
      }
      pointsLayer.draw(now);
      moving ||= pointsLayer.moving(now);
      if (moving) {
        frameRef.current = requestAnimationFrame(frame);
      }
    };
    startAnimationRef.current = () => {
      if (frameRef.current === null) {
        frameRef.current = requestAnimationFrame(frame);
      }
    };
    const removeMap = removalOnceStill(map, container);
    const observer = new ResizeObserver(() => {
      map.invalidateSize({ animate: false });
      if (!userMovedRef.current) {
        fit();
      }
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      if (frameRef.current !== null) {
        cancelAnimationFrame(frameRef.current);
        frameRef.current = null;
      }
      markerEntries.clear();
      pointsRef.current = null;
      routeRef.current = null;
      removeMap();
      mapRef.current = null;
    };
    // The map is created once; later props are applied by the effects below.
  }, []);

  // Base layers once the tile settings are known.
  useEffect(() => {
    const map = mapRef.current;
    if (map === null || settings === null) {
      return;
    }
    return addBaseLayers(map, settings, setTiles);
  }, [settings]);

  // Markers: add, move (gliding or at once), remove.
  useEffect(() => {
    const map = mapRef.current;
    if (map === null) {
      return;
    }
    const now = performance.now();
    const entries = markersRef.current;
    const seen = new Set<string>();
    let glides = false;
    for (const spec of markers) {
      seen.add(spec.id);
      const existing = entries.get(spec.id);
      if (existing === undefined) {
        const marker = L.marker([spec.position.lat, spec.position.lng], {
          icon: iconFor(spec),
          keyboard: false,
        });
        marker.addTo(map);
        const entry = {
          marker,
          icon: iconKey(spec),
          glide: new Glide(spec.position, now, spec.heading ?? null),
        };
        entries.set(spec.id, entry);
        faceHeading(entry);
        continue;
      }
      if (existing.icon !== iconKey(spec)) {
        existing.marker.setIcon(iconFor(spec));
        existing.icon = iconKey(spec);
      }
      const target = existing.glide.target;
      if (target.lat !== spec.position.lat || target.lng !== spec.position.lng) {
        if (spec.smooth === true) {
          existing.glide.retarget(spec.position, now, spec.heading);
          glides = true;
        } else {
          existing.glide = new Glide(spec.position, now, spec.heading ?? null);
          existing.marker.setLatLng([spec.position.lat, spec.position.lng]);
        }
      } else if (spec.heading !== undefined && spec.heading !== null) {
        existing.glide.heading = spec.heading;
      }
      faceHeading(existing);
    }
    for (const [id, entry] of entries) {
      if (!seen.has(id)) {
        entry.marker.remove();
        entries.delete(id);
      }
    }
    if (glides) {
      startAnimationRef.current();
    }
  }, [markers]);

  // Canvas points (fleet): one canvas for all, each dot gliding to its new position.
  useEffect(() => {
    const layer = pointsRef.current;
    if (layer === null) {
      return;
    }
    layer.update(points, performance.now());
    startAnimationRef.current();
    // How many points are drawn on the canvas: the canvas has no DOM per point, so tests and tools read this.
    containerRef.current?.setAttribute('data-points', String(layer.size));
  }, [points]);

  // The selected point stands out.
  useEffect(() => {
    pointsRef.current?.select(selectedPointId);
    startAnimationRef.current();
  }, [selectedPointId]);

  // A newly selected point out of view is brought into it (once: the user may pan away afterwards).
  useEffect(() => {
    const map = mapRef.current;
    const at = selectedPointId === null ? undefined : pointsRef.current?.positionOf(selectedPointId);
    if (map === null || at === undefined) {
      return;
    }
    if (!map.getBounds().contains([at.lat, at.lng])) {
      map.panTo([at.lat, at.lng]);
    }
  }, [selectedPointId]);

  // Route line: solid along the roads, dashed when straight.
  useEffect(() => {
    const map = mapRef.current;
    if (map === null) {
      return;
    }
    if (drawn === undefined) {
      routeRef.current?.remove();
      routeRef.current = null;
      return;
    }
    const latlngs = drawn.points.map((p): L.LatLngTuple => [p.lat, p.lng]);
    const style: L.PolylineOptions = {
      color: '#1d4ed8',
      weight: drawn.source === 'road' ? 5 : 4,
      opacity: 0.75,
      dashArray: drawn.source === 'road' ? undefined : '8 6',
    };
    if (routeRef.current === null) {
      routeRef.current = L.polyline(latlngs, style).addTo(map);
    } else {
      routeRef.current.setLatLngs(latlngs);
      routeRef.current.setStyle(style);
    }
  }, [drawn]);

  // Only the key triggers a refit; marker moves must not fight the user's panning.
  useEffect(() => {
    userMovedRef.current = false;
    fit();
  }, [fitKey]);

  return (
    <div
      ref={containerRef}
      className={`map ${className ?? ''}`}
      data-testid={testId}
      data-tiles={tiles}
      data-route={drawn?.source ?? 'none'}
      role="region"
      aria-label={label ?? 'Map'}
    />
  );
}
