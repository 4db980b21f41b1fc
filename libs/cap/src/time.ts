/** Beijing time (UTC+8, no daylight saving): GB/T 35965.1 writes every time in it. */
export const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The wall-clock fields of an instant in Beijing time. */
export function beijingParts(d: Date): {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
} {
  if (Number.isNaN(d.getTime())) throw new RangeError('invalid date');
  const b = new Date(d.getTime() + BEIJING_OFFSET_MS);
  return {
    y: b.getUTCFullYear(),
    mo: b.getUTCMonth() + 1,
    d: b.getUTCDate(),
    h: b.getUTCHours(),
    mi: b.getUTCMinutes(),
    s: b.getUTCSeconds(),
  };
}

/**
 * `2026-12-06T08:00:00+08:00`: whole seconds (CAP's pattern has no fraction; the fraction is
 * dropped, not rounded, so a time never moves later), never `Z` (CAP forbids it).
 */
export function formatCapTime(d: Date): string {
  const p = beijingParts(d);
  if (p.y < 1 || p.y > 9999) throw new RangeError('year outside 0001-9999');
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}+08:00`;
}

const CAP_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([-+])(\d\d):(\d\d)$/;

/**
 * A CAP time as written by the schema's pattern with a real `±hh:mm` offset (the schema's
 * `[-,+]` also lets a comma through; that is refused here). null for anything else,
 * including `Z` and impossible dates such as 02-30.
 */
export function parseCapTime(text: string): Date | null {
  const m = CAP_TIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s, sign, oh, om] = [
    +m[1]!,
    +m[2]!,
    +m[3]!,
    +m[4]!,
    +m[5]!,
    +m[6]!,
    m[7],
    +m[8]!,
    +m[9]!,
  ];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || oh > 14 || om > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const offset = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return new Date(local - offset);
}
