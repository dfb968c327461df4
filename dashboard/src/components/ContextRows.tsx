/** Key/value rows for an encryption context (or any string map), each row's fields labelled by its number. */
import { Button } from './ui';

export interface Row {
  key: string;
  value: string;
}

/** The rows as a string map; rows with an empty key are left out. */
export function toStringMap(rows: Row[]): Record<string, string> | null {
  const entries = rows.filter((row) => row.key.trim() !== '').map((row) => [row.key.trim(), row.value] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

interface Props {
  legend: string;
  rows: Row[];
  onChange: (rows: Row[]) => void;
  idPrefix: string;
}

export function ContextRows({ legend, rows, onChange, idPrefix }: Props) {
  const update = (index: number, change: Partial<Row>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="context-rows">
      <legend>{legend}</legend>
      {rows.length === 0 && <p className="hint">No entries.</p>}
      {rows.map((row, index) => (
        <div className="context-row" key={index}>
          <label htmlFor={`${idPrefix}-key-${index}`}>Context key {index + 1}</label>
          <input id={`${idPrefix}-key-${index}`} value={row.key} onChange={(event) => update(index, { key: event.target.value })} />
          <label htmlFor={`${idPrefix}-value-${index}`}>Context value {index + 1}</label>
          <input
            id={`${idPrefix}-value-${index}`}
            value={row.value}
            onChange={(event) => update(index, { value: event.target.value })}
          />
          <Button aria-label={`Remove context row ${index + 1}`} onClick={() => onChange(rows.filter((_, at) => at !== index))}>
            Remove
          </Button>
        </div>
      ))}
      <Button onClick={() => onChange([...rows, { key: '', value: '' }])}>Add context row</Button>
    </fieldset>
  );
}
