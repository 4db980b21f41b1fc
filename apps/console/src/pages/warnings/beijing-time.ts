/**
 * Warnings state their times in Beijing time (GB/T 35965.1: `+08:00`), whatever zone the
 * browser runs in: a county officer typing 14:00 means 14:00 in Beijing, and the CAP says so.
 */
const BEIJING_MS = 8 * 3600_000;
const TYPED = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$/;
const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-06 14:03" read as Beijing time, as "2026-12-06T14:03:00+08:00"; null if not a real time. */
export function beijingInputToIso(value: string): string | null {
  const m = TYPED.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return null;
  const utc = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 02-30 over into March: a date that does not exist is refused, not moved
  if (new Date(utc).getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:00+08:00`;
}

/** An instant as "2026-12-06 14:03" in Beijing time: the value a typed field shows. */
export function beijingInput(ms: number): string {
  const s = new Date(ms + BEIJING_MS).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** "12-06 14:03" in Beijing time (a list row), or "—". */
export function beijingShort(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const s = new Date(ms + BEIJING_MS).toISOString();
  return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}
