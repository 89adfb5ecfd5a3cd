/**
 * Well-known places in and around Bengaluru, the city the map opens on and the
 * area the default pricing region is tuned for. The address search falls back
 * to this list when no geocoder is configured or the configured one cannot be
 * reached, so a customer can still type "airport" or "Koramangala" offline.
 * Coordinates are the approximate centre of each place (a street, a station's
 * main entrance, a neighbourhood's middle), close enough for a pickup pin the
 * customer can then drag on the map.
 */
export interface GazetteerPlace {
  name: string;
  /** The neighbourhood or kind of place, shown under the name. */
  area: string;
  lat: number;
  lng: number;
  /** Other names people type: abbreviations, old names, local usage. */
  aliases?: readonly string[];
}

export const GAZETTEER_CITY = 'Bengaluru';

export const GAZETTEER: readonly GazetteerPlace[] = [
  // Transport hubs
  {
    name: 'Kempegowda International Airport',
    area: 'Devanahalli',
    lat: 13.1986,
    lng: 77.7066,
    aliases: ['airport', 'blr', 'kia', 'bial', 'bangalore airport'],
  },
  {
    name: 'KSR Bengaluru City Railway Station',
    area: 'Majestic',
    lat: 12.9781,
    lng: 77.5695,
    aliases: ['majestic', 'city railway station', 'ksr', 'sbc', 'railway station'],
  },
  {
    name: 'Kempegowda Bus Station',
    area: 'Majestic',
    lat: 12.9774,
    lng: 77.5713,
    aliases: ['majestic bus stand', 'kbs', 'bus stand'],
  },
  { name: 'Yeshwantpur Junction', area: 'Yeshwantpur', lat: 13.0237, lng: 77.55, aliases: ['ypr'] },
  {
    name: 'Bengaluru Cantonment Railway Station',
    area: 'Vasanth Nagar',
    lat: 12.9936,
    lng: 77.5976,
    aliases: ['cantonment', 'byc'],
  },
  {
    name: 'SMVT Bengaluru Railway Terminal',
    area: 'Baiyappanahalli',
    lat: 12.9918,
    lng: 77.6616,
    aliases: ['smvt', 'baiyappanahalli terminal'],
  },
  {
    name: 'Krishnarajapuram Railway Station',
    area: 'KR Puram',
    lat: 13.0003,
    lng: 77.6758,
    aliases: ['kr puram'],
  },
  { name: 'HAL Old Airport', area: 'HAL', lat: 12.95, lng: 77.6682, aliases: ['hal airport'] },

  // Central business district and landmarks
  {
    name: 'MG Road',
    area: 'Central Bengaluru',
    lat: 12.9756,
    lng: 77.6066,
    aliases: ['mahatma gandhi road'],
  },
  { name: 'Brigade Road', area: 'Central Bengaluru', lat: 12.9719, lng: 77.607 },
  { name: 'Commercial Street', area: 'Shivajinagar', lat: 12.9822, lng: 77.6083 },
  { name: 'UB City', area: 'Vittal Mallya Road', lat: 12.9716, lng: 77.596 },
  { name: 'Cubbon Park', area: 'Central Bengaluru', lat: 12.9763, lng: 77.5929 },
  { name: 'Vidhana Soudha', area: 'Ambedkar Veedhi', lat: 12.9794, lng: 77.5907 },
  {
    name: 'M. Chinnaswamy Stadium',
    area: 'Cubbon Road',
    lat: 12.9788,
    lng: 77.5996,
    aliases: ['chinnaswamy'],
  },
  {
    name: 'Bangalore Palace',
    area: 'Vasanth Nagar',
    lat: 12.9987,
    lng: 77.592,
    aliases: ['bengaluru palace'],
  },
  { name: 'Lalbagh Botanical Garden', area: 'Lalbagh', lat: 12.9507, lng: 77.5848, aliases: ['lalbagh'] },
  { name: 'Ulsoor Lake', area: 'Halasuru', lat: 12.983, lng: 77.62, aliases: ['halasuru lake'] },
  {
    name: 'Indian Institute of Science',
    area: 'Malleshwaram',
    lat: 13.0219,
    lng: 77.5671,
    aliases: ['iisc', 'tata institute'],
  },
  { name: 'ISKCON Temple', area: 'Rajajinagar', lat: 13.0098, lng: 77.5511 },
  { name: 'Bull Temple', area: 'Basavanagudi', lat: 12.9428, lng: 77.5681, aliases: ['dodda basavana gudi'] },

  // Markets and malls
  {
    name: 'KR Market',
    area: 'City Market',
    lat: 12.9647,
    lng: 77.5775,
    aliases: ['city market', 'krishna rajendra market'],
  },
  { name: 'Chickpet', area: 'Old Bengaluru', lat: 12.97, lng: 77.578, aliases: ['chikpet'] },
  { name: 'Russell Market', area: 'Shivajinagar', lat: 12.985, lng: 77.606 },
  { name: 'Orion Mall', area: 'Brigade Gateway, Rajajinagar', lat: 13.011, lng: 77.555 },
  { name: 'Phoenix Marketcity', area: 'Whitefield Road', lat: 12.9975, lng: 77.696 },
  { name: 'Forum Mall', area: 'Koramangala', lat: 12.9346, lng: 77.6113, aliases: ['nexus koramangala'] },
  { name: 'Mantri Square Mall', area: 'Malleshwaram', lat: 12.9916, lng: 77.5706, aliases: ['mantri mall'] },

  // Tech parks and industrial areas
  {
    name: 'Electronic City',
    area: 'Hosur Road',
    lat: 12.8452,
    lng: 77.6602,
    aliases: ['e city', 'ecity', 'electronics city'],
  },
  {
    name: 'International Tech Park (ITPL)',
    area: 'Whitefield',
    lat: 12.9866,
    lng: 77.7366,
    aliases: ['itpl', 'itpb'],
  },
  { name: 'Manyata Tech Park', area: 'Nagawara', lat: 13.0475, lng: 77.621, aliases: ['manyata'] },
  { name: 'Bagmane Tech Park', area: 'CV Raman Nagar', lat: 12.98, lng: 77.664, aliases: ['bagmane'] },
  { name: 'Embassy Golf Links', area: 'Domlur', lat: 12.9532, lng: 77.642, aliases: ['egl'] },
  { name: 'Peenya Industrial Area', area: 'Peenya', lat: 13.0285, lng: 77.5197, aliases: ['peenya'] },
  {
    name: 'Bommasandra Industrial Area',
    area: 'Hosur Road',
    lat: 12.817,
    lng: 77.692,
    aliases: ['bommasandra'],
  },

  // Neighbourhoods
  { name: 'Koramangala', area: 'South-east Bengaluru', lat: 12.9352, lng: 77.6245 },
  { name: 'Indiranagar', area: '100 Feet Road', lat: 12.9719, lng: 77.6412, aliases: ['indira nagar'] },
  { name: 'Whitefield', area: 'East Bengaluru', lat: 12.9698, lng: 77.75 },
  { name: 'Marathahalli', area: 'Outer Ring Road', lat: 12.9569, lng: 77.7011 },
  { name: 'Bellandur', area: 'Outer Ring Road', lat: 12.926, lng: 77.6762 },
  { name: 'HSR Layout', area: 'South-east Bengaluru', lat: 12.9116, lng: 77.6474, aliases: ['hsr'] },
  { name: 'BTM Layout', area: 'South Bengaluru', lat: 12.9166, lng: 77.6101, aliases: ['btm'] },
  { name: 'Silk Board Junction', area: 'Hosur Road', lat: 12.9177, lng: 77.6233, aliases: ['silk board'] },
  { name: 'Jayanagar', area: 'South Bengaluru', lat: 12.925, lng: 77.5838 },
  { name: 'JP Nagar', area: 'South Bengaluru', lat: 12.9063, lng: 77.5857, aliases: ['jayaprakash nagar'] },
  { name: 'Banashankari', area: 'South Bengaluru', lat: 12.9255, lng: 77.5468 },
  { name: 'Basavanagudi', area: 'South Bengaluru', lat: 12.9406, lng: 77.5738 },
  { name: 'Malleshwaram', area: 'North-west Bengaluru', lat: 13.0035, lng: 77.571, aliases: ['malleswaram'] },
  { name: 'Rajajinagar', area: 'West Bengaluru', lat: 12.991, lng: 77.554 },
  { name: 'Vijayanagar', area: 'West Bengaluru', lat: 12.9719, lng: 77.535 },
  { name: 'Sadashivanagar', area: 'North Bengaluru', lat: 13.0068, lng: 77.5813 },
  { name: 'Hebbal', area: 'North Bengaluru', lat: 13.0358, lng: 77.597, aliases: ['hebbal flyover'] },
  { name: 'Yelahanka', area: 'North Bengaluru', lat: 13.1007, lng: 77.5963 },
  { name: 'RT Nagar', area: 'North Bengaluru', lat: 13.022, lng: 77.595, aliases: ['rahmath nagar'] },
  { name: 'Frazer Town', area: 'East Bengaluru', lat: 12.998, lng: 77.615, aliases: ['pulikeshi nagar'] },
  { name: 'Richmond Town', area: 'Central Bengaluru', lat: 12.964, lng: 77.603 },
  { name: 'Domlur', area: 'East Bengaluru', lat: 12.9609, lng: 77.6387 },
  { name: 'Shivajinagar', area: 'Central Bengaluru', lat: 12.9857, lng: 77.6057 },
  { name: 'Kengeri', area: 'Mysuru Road', lat: 12.9081, lng: 77.4827 },
  { name: 'Jalahalli', area: 'North-west Bengaluru', lat: 13.0456, lng: 77.548 },
  { name: 'Bannerghatta National Park', area: 'Bannerghatta Road', lat: 12.8003, lng: 77.5776 },
];

function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

interface Indexed {
  place: GazetteerPlace;
  /** The name and aliases, normalized: a hit here ranks above one in the area. */
  names: string[];
  area: string;
}

const INDEX: readonly Indexed[] = GAZETTEER.map((place) => ({
  place,
  names: [place.name, ...(place.aliases ?? [])].map(normalize),
  area: normalize(place.area),
}));

function words(text: string): string[] {
  return text.split(' ').filter((word) => word !== '');
}

/** How well one indexed place answers the query's words; 0 when a word matches nothing. */
function score(entry: Indexed, query: string, queryWords: string[]): number {
  let best = 0;
  for (const name of entry.names) {
    if (name === query) {
      best = Math.max(best, 100);
    } else if (name.startsWith(query)) {
      best = Math.max(best, 80);
    } else if (queryWords.every((q) => words(name).some((w) => w.startsWith(q)))) {
      best = Math.max(best, 60);
    } else if (name.includes(query)) {
      best = Math.max(best, 40);
    }
  }
  if (best === 0) {
    const haystack = words(`${entry.names.join(' ')} ${entry.area}`);
    if (queryWords.every((q) => haystack.some((w) => w.startsWith(q)))) {
      best = 20;
    }
  }
  return best;
}

/** Places whose name, alias or area match every word typed, best first. */
export function searchGazetteer(text: string, limit = 6): GazetteerPlace[] {
  const query = normalize(text);
  if (query.length < 2) {
    return [];
  }
  const queryWords = words(query);
  return INDEX.map((entry) => ({ entry, score: score(entry, query, queryWords) }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.entry.place.name.localeCompare(b.entry.place.name))
    .slice(0, limit)
    .map((hit) => hit.entry.place);
}
