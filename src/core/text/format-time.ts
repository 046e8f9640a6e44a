/** Times for the terminal: UTC unless a zone is given (`--tz Asia/Tokyo`). Pure: the zone is an argument. */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `zone` is an IANA zone name this runtime knows (`UTC`, `Asia/Tokyo`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** `2023-07-10 11:45:02 UTC`, or in `zone`: `2023-07-10 20:45:02 GMT+9`. An unreadable time shows as `?`. */
export function formatTime(iso: string, zone = 'UTC'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '?';
  if (zone === 'UTC') return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}
