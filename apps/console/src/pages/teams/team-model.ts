import type { CreateTeamRequest, TeamKind, TeamStatus, TeamView } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';

/** Browser-side copies of the kinds and statuses (a value import from the contracts would bring zod). */
export const KINDS: TeamKind[] = [
  'general',
  'flood',
  'forest-fire',
  'hazmat',
  'medical',
  'village-shock',
  'other',
];
export const STATUSES: TeamStatus[] = ['available', 'alerted', 'deployed', 'unavailable'];
export const KIND_KEY: Record<TeamKind, MessageKey> = {
  general: 'team.kind.general',
  flood: 'team.kind.flood',
  'forest-fire': 'team.kind.forest-fire',
  hazmat: 'team.kind.hazmat',
  medical: 'team.kind.medical',
  'village-shock': 'team.kind.village-shock',
  other: 'team.kind.other',
};
export const STATUS_KEY: Record<TeamStatus, MessageKey> = {
  available: 'team.status.available',
  alerted: 'team.status.alerted',
  deployed: 'team.status.deployed',
  unavailable: 'team.status.unavailable',
};

export interface TeamForm {
  name: string;
  kind: TeamKind;
  siteId: string;
  leaderName: string;
  leaderPhone: string;
  headcount: string;
  /** "冲锋舟、救生衣, 抽水泵": split on 、，, ; and new lines */
  equipment: string;
  assembleMinutes: string;
  status: 'available' | 'unavailable';
  /** "2026-12-01" (a Beijing date) or "" */
  lastVerifiedAt: string;
}

export const emptyForm = (siteId = ''): TeamForm => ({
  name: '',
  kind: 'general',
  siteId,
  leaderName: '',
  leaderPhone: '',
  headcount: '',
  equipment: '',
  assembleMinutes: '30',
  status: 'available',
  lastVerifiedAt: '',
});

/** The date of an instant in Beijing (UTC+8, no daylight saving). */
const beijingDate = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

export function formOf(t: TeamView): TeamForm {
  return {
    name: t.name,
    kind: t.kind,
    siteId: t.siteId,
    leaderName: t.leaderName,
    leaderPhone: t.leaderPhone,
    headcount: String(t.headcount),
    equipment: t.equipment.join('、'),
    assembleMinutes: String(t.assembleMinutes),
    status: t.status === 'unavailable' ? 'unavailable' : 'available',
    lastVerifiedAt: t.lastVerifiedAt ? beijingDate(t.lastVerifiedAt) : '',
  };
}

export const splitEquipment = (s: string): string[] =>
  s
    .split(/[、，,;；\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The request the form stands for; numbers the server checks (a non-number is sent as NaN → 400 naming it). */
export function teamRequest(f: TeamForm): CreateTeamRequest {
  return {
    name: f.name.trim(),
    kind: f.kind,
    siteId: f.siteId,
    leaderName: f.leaderName.trim(),
    leaderPhone: f.leaderPhone.trim(),
    headcount: f.headcount.trim() === '' ? Number.NaN : Number(f.headcount),
    equipment: splitEquipment(f.equipment),
    assembleMinutes: f.assembleMinutes.trim() === '' ? Number.NaN : Number(f.assembleMinutes),
    status: f.status,
    lastVerifiedAt: /^\d{4}-\d{2}-\d{2}$/.test(f.lastVerifiedAt)
      ? `${f.lastVerifiedAt}T00:00:00+08:00`
      : null,
  };
}
