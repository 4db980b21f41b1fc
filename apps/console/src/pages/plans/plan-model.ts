import { ApiError, errorText } from '../../lib/api.js';
import type { MessageKey } from '../../i18n/index.js';
import type { Hazard, PlanAction, ResponseLevel } from '#contracts';

export const LEVELS: ResponseLevel[] = ['I', 'II', 'III', 'IV'];
export const HAZARD_LIST: Hazard[] = [
  'flood',
  'forest-fire',
  'geologic',
  'hazmat',
  'earthquake',
  'weather',
  'other',
];
export const ACTION_KINDS: PlanAction['kind'][] = [
  'directive',
  'consultation',
  'alert-teams',
  'duty',
  'warning',
];
const NUMERAL: Record<ResponseLevel, string> = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };

/** Ⅲ级 (the same in both languages: the numeral is how the level is written) */
export const levelText = (l: ResponseLevel) => `${NUMERAL[l]}级`;

/** 1 h 5 min / 5 min 3 s */
export function elapsedText(seconds: number, t: (k: MessageKey) => string): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h} ${t('plan.hours')} ${m} ${t('plan.minutes')}`;
  return `${m} ${t('plan.minutes')} ${s} ${t('plan.seconds')}`;
}

/** "发 {sent} / …" with the numbers put in */
export function fill(template: string, values: Record<string, number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? 0));
}

/** A blank action of a kind, for the editor. */
export function blankAction(kind: PlanAction['kind']): PlanAction {
  switch (kind) {
    case 'directive':
      return { kind, title: '', body: '', level: 'orange', targets: { siteIds: [] } };
    case 'consultation':
      return { kind, siteIds: [] };
    case 'alert-teams':
      return { kind, teamIds: [] };
    case 'duty':
      return { kind, siteIds: [], note: '' };
    case 'warning':
      return {
        kind,
        event: '',
        level: 'yellow',
        headline: '',
        description: '',
        instruction: '',
        areas: { regionCodes: [] },
        validHours: 24,
      };
  }
}

/** A refusal in the user's language: the plan's own cases first, then the console's general text. */
export function planErrorText(err: unknown, t: (k: MessageKey) => string): string {
  if (err instanceof ApiError) {
    const m = /^levels\[(\d+)\]\.actions\[(\d+)\]/.exec(err.facts?.fields?.[0]?.path ?? '');
    const prefix = m ? fill(t('plan.err.place'), { level: Number(m[1]) + 1, action: Number(m[2]) + 1 }) : '';
    if (err.status === 403) return prefix + t('plan.err.scope');
    if (err.status === 400 && prefix) return prefix + t('plan.err.missing');
    if (err.status === 409 && err.facts?.path?.endsWith('/responses')) return t('plan.err.twice');
    if (err.status === 409) return t('plan.err.ended');
  }
  return errorText(err);
}
