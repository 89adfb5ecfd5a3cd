/** A fieldset of checkboxes, one an option: what is ticked, and the new selection on each tick. */
export function CheckboxChoices<T extends string>({
  legend,
  options,
  labels,
  selected,
  onChange,
}: {
  legend: string;
  options: readonly T[];
  labels: Record<T, string>;
  selected: readonly T[];
  onChange: (selected: T[]) => void;
}) {
  const toggle = (option: T) =>
    onChange(selected.includes(option) ? selected.filter((held) => held !== option) : [...selected, option]);
  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} className="choice">
          <input type="checkbox" checked={selected.includes(option)} onChange={() => toggle(option)} />
          {labels[option]}
        </label>
      ))}
    </fieldset>
  );
}
