/** The fewest last digits of an ID shown to tell namesakes apart. */
const MIN_SUFFIX_DIGITS = 4;

/**
 * How to label people in one view: a name alone where no one else in the view
 * has it; where names repeat, the name and the last digits of the ID (as few
 * as tell those namesakes apart, four at least): "Ravi Kumar · …4821".
 */
export function nameLabels(people: Iterable<{ id: string; name: string }>): Map<string, string> {
  const byName = new Map<string, Set<string>>();
  for (const person of people) {
    const key = person.name.trim().toLowerCase();
    byName.set(key, (byName.get(key) ?? new Set()).add(person.id));
  }
  const labels = new Map<string, string>();
  for (const person of people) {
    const namesakes = [...(byName.get(person.name.trim().toLowerCase()) ?? [])];
    if (namesakes.length < 2) {
      labels.set(person.id, person.name);
      continue;
    }
    const longest = Math.max(...namesakes.map((id) => id.length));
    let digits = MIN_SUFFIX_DIGITS;
    while (digits < longest && new Set(namesakes.map((id) => id.slice(-digits))).size < namesakes.length) {
      digits += 1;
    }
    labels.set(person.id, `${person.name.trim()} · …${person.id.slice(-digits)}`);
  }
  return labels;
}
