import { useEffect, useState } from 'react';

/** The current time, re-rendered every `ms`: drives countdowns. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(h);
  }, [ms]);
  return now;
}

/** "mm:ss" or "h:mm:ss" of a non-negative span. */
export function formatSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${String(m).padStart(2, '0')}:${sec}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * "12-06 14:03:05": month-day first, 24-hour, in local time, for both languages. Never the
 * browser's locale format, which for English is US style ("12/06") and misread here.
 */
export function formatTime(iso: string | null, _lang?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "12-06 14:03": a row's time where seconds would only add noise. */
export function formatShort(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "2026年12月6日 14:03" (zh-CN) or "2026-12-06 14:03": a date read out of context (records, exports). */
export function formatDate(iso: string | null, lang: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return lang === 'en'
    ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`
    : `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

/** "3分钟前" / "3 min ago": how long ago, in the language's own units. */
export function formatAgo(iso: string | null, now: number, lang: string): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  const zh = lang !== 'en';
  if (s < 60) return zh ? '刚刚' : 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m}分钟前` : `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return zh ? `${h}小时前` : `${h} h ago`;
  const days = Math.floor(h / 24);
  return zh ? `${days}天前` : `${days} days ago`;
}

/** How a typed date-time is written: the browser's own date pickers follow its UI language (US style in an English build). */
export const DATE_TIME_PATTERN = '\\d{4}-\\d{1,2}-\\d{1,2} \\d{1,2}:\\d{2}';
const TYPED = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$/;

/** "2026-12-06 14:03" typed in local time, as ISO 8601; null if empty or not a date-time. */
export function localInputToIso(value: string): string | null {
  const m = TYPED.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Now as "2026-12-06 14:03", local time: the value a typed date-time field starts with. */
export function nowForInput(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
}
