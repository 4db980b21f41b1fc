/**
 * Asia/Shanghai wall time for duty rosters, spot-check schedules and monthly reports.
 * China has kept UTC+8 all year since 1991, so a fixed offset is exact and no DST rule
 * applies.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "2026-12-07T08:00:00+08:00": the API's and the console's form of an instant. */
export function toShanghaiIso(at: Date): string {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${local.slice(0, 19)}+08:00`;
}

/** The Asia/Shanghai calendar day ("2026-12-07") an instant falls on. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** minutes after midnight, or null when not "HH:MM" (00:00–23:59) */
export function parseHhmm(value: string): number | null {
  const m = HHMM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The instant of a Shanghai wall time: day "2026-12-07", minutes after its midnight (0: the midnight). */
export function shanghaiInstant(day: string, minutes = 0): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS + minutes * 60_000);
}
