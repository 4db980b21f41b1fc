import { BEIJING_OFFSET_MS, beijingParts } from './time.js';

/**
 * GB/T 35965.1-2018 Appendix A: `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`. ZZZZZZ the GB/T 2260 area
 * code of the issuing site, DDD the organization code (a setting, default 000), UUU the
 * sub-unit (000), XX the extension (00), then the time in Beijing time and a sequence digit.
 * 31 characters; real national feeds also send the 29-character form without `_N`.
 */
const IDENTIFIER = /^(\d{6})(\d{3})(\d{3})(\d{2})_(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:_(\d))?$/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function capIdentifier(p: { regionCode: string; orgCode?: string; at: Date; seq: number }): string {
  const org = p.orgCode ?? '000';
  if (!/^\d{6}$/.test(p.regionCode)) throw new RangeError(`regionCode must be 6 digits: ${p.regionCode}`);
  if (!/^\d{3}$/.test(org)) throw new RangeError(`orgCode must be 3 digits: ${org}`);
  if (!Number.isInteger(p.seq) || p.seq < 0 || p.seq > 9) throw new RangeError(`seq must be 0-9: ${p.seq}`);
  const t = beijingParts(p.at);
  if (t.y < 1000 || t.y > 9999) throw new RangeError('year outside 1000-9999');
  const time = `${t.y}${pad(t.mo)}${pad(t.d)}${pad(t.h)}${pad(t.mi)}${pad(t.s)}`;
  return `${p.regionCode}${org}00000_${time}_${p.seq}`;
}

/** The parts of a 31- or 29-character identifier (seq null in the short form); null if it is neither. */
export function parseCapIdentifier(
  id: string,
): { regionCode: string; orgCode: string; at: Date; seq: number | null } | null {
  const m = IDENTIFIER.exec(id);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(5, 11).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return {
    regionCode: m[1]!,
    orgCode: m[2]!,
    at: new Date(local - BEIJING_OFFSET_MS),
    seq: m[11] === undefined ? null : Number(m[11]),
  };
}
