import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Coordinates } from '@loadline/contracts';
import { formatLatLng, parseLatLng } from '../../components/ui';
import { addressOf, searchPlaces, type PlaceSearch, type PlaceSuggestion } from './geocoder';

const DEBOUNCE_MS = 250;

type SearchState = { status: 'idle' } | { status: 'searching' } | { status: 'done'; result: PlaceSearch };

/**
 * A pickup or drop-off: type a place name or address (suggestions from the
 * geocoder or the built-in list of places), type "lat, lng", or pick on the map.
 */
export function PlaceField({
  label,
  value,
  onChange,
  active,
  onActivate,
  testId,
}: {
  label: string;
  value: Coordinates | null;
  onChange: (value: Coordinates | null) => void;
  active: boolean;
  onActivate: () => void;
  testId: string;
}) {
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  const [open, setOpen] = useState(false);
  const [highlight, setHighlight] = useState(0);
  const [search, setSearch] = useState<SearchState>({ status: 'idle' });
  const listId = useId();
  const inputRef = useRef<HTMLInputElement | null>(null);

  const shown = editing ? text : value === null ? '' : (value.address ?? formatLatLng(value));
  const typedCoordinates = parseLatLng(text);
  const query = editing && typedCoordinates === null ? text.trim() : '';

  // Debounced search for what was typed; a newer keystroke aborts the older request.
  useEffect(() => {
    if (query.length < 2) {
      setSearch({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setSearch({ status: 'searching' });
    const timer = window.setTimeout(() => {
      searchPlaces(query, controller.signal)
        .then((result) => {
          setSearch({ status: 'done', result });
          setHighlight(0);
        })
        .catch(() => undefined);
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  const suggestions = search.status === 'done' ? search.result.suggestions : [];
  const listOpen = open && query.length >= 2;

  const choose = (suggestion: PlaceSuggestion) => {
    onChange({ lat: suggestion.lat, lng: suggestion.lng, address: addressOf(suggestion) });
    setText(suggestion.name);
    setOpen(false);
    setEditing(false);
    inputRef.current?.blur();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!listOpen || suggestions.length === 0) {
      if (event.key === 'Escape') {
        setOpen(false);
      }
      return;
    }
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setHighlight((index) => (index + 1) % suggestions.length);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight((index) => (index - 1 + suggestions.length) % suggestions.length);
    } else if (event.key === 'Enter') {
      const picked = suggestions[highlight];
      if (picked !== undefined) {
        // Enter picks the suggestion instead of submitting the form.
        event.preventDefault();
        choose(picked);
      }
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
    }
  };

  const unresolved = editing && query.length >= 2 && search.status === 'done' && suggestions.length === 0;

  return (
    <div className={unresolved ? 'field field--invalid place' : 'field place'}>
      <span className="spread">
        <label htmlFor={`${listId}-input`}>{label}</label>
        <button
          type="button"
          className={active ? 'btn btn--small btn--primary' : 'btn btn--small btn--ghost'}
          onClick={onActivate}
        >
          {active ? 'Click the map…' : 'Pick on map'}
        </button>
      </span>
      <div className="place__box">
        <input
          ref={inputRef}
          id={`${listId}-input`}
          data-testid={testId}
          role="combobox"
          aria-expanded={listOpen && suggestions.length > 0}
          aria-controls={`${listId}-list`}
          aria-autocomplete="list"
          aria-activedescendant={
            listOpen && suggestions[highlight] !== undefined ? `${listId}-option-${highlight}` : undefined
          }
          autoComplete="off"
          placeholder="Search a place or type lat, lng"
          value={shown}
          onFocus={(event) => {
            setText(value === null ? '' : (value.address ?? formatLatLng(value)));
            setEditing(true);
            setOpen(true);
            onActivate();
            event.target.select();
          }}
          onChange={(event) => {
            const next = event.target.value;
            setText(next);
            setOpen(true);
            const parsed = parseLatLng(next);
            if (parsed !== null) {
              onChange(parsed);
            } else if (next.trim() === '') {
              onChange(null);
            }
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            setEditing(false);
            setOpen(false);
          }}
        />
        {listOpen && (
          <div className="place__menu" data-testid={`${testId}-menu`}>
            {search.status === 'searching' && <div className="place__note">Searching…</div>}
            {search.status === 'done' && suggestions.length > 0 && (
              <ul
                className="place__list"
                id={`${listId}-list`}
                role="listbox"
                aria-label={`${label} matches`}
              >
                {suggestions.map((suggestion, index) => (
                  <li
                    key={suggestion.id}
                    id={`${listId}-option-${index}`}
                    role="option"
                    aria-selected={index === highlight}
                    className={index === highlight ? 'place__option is-active' : 'place__option'}
                    data-testid="place-suggestion"
                    // mousedown, not click: the input must not blur (and close the list) first.
                    onMouseDown={(event) => {
                      event.preventDefault();
                      choose(suggestion);
                    }}
                    onMouseEnter={() => setHighlight(index)}
                  >
                    <strong>{suggestion.name}</strong>
                    {suggestion.detail !== '' && <small>{suggestion.detail}</small>}
                  </li>
                ))}
              </ul>
            )}
            {search.status === 'done' && search.result.fallback && (
              <div className="place__note">Address search is unavailable: showing well-known places.</div>
            )}
            {unresolved && (
              <div className="place__note">
                No matching place. Try a landmark or area name, or type “lat, lng”.
              </div>
            )}
          </div>
        )}
      </div>
      {!editing && value?.address !== undefined && (
        <span className="field__hint mono" data-testid={`${testId}-coordinates`}>
          {formatLatLng(value)}
        </span>
      )}
    </div>
  );
}
