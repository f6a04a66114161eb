/** Dates are shown in the user's locale; the API speaks ISO 8601 in UTC. */

export function formatDateTime(iso: string | null, whenNull = 'Never'): string {
  if (iso === null) return whenNull;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A UTC day (`YYYY-MM-DD`) as a short local label, e.g. "Nov 3". */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function formatNumber(value: number): string {
  return value.toLocaleString();
}

const pad = (value: number) => String(value).padStart(2, '0');

/** An expiry time as the value of a `<input type="date">`, in local time. */
export function toDateInput(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A date picked in `<input type="date">` means "valid through that day": the end of it, local time. */
export function fromDateInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return null;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  return new Date(year, month - 1, day, 23, 59, 59).toISOString();
}

/** A `<input type="datetime-local">` value (local time, no zone) as ISO 8601 UTC. */
export function fromDateTimeInput(value: string): string | null {
  if (value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
