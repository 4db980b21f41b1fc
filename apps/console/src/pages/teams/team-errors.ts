import { ApiError, errorText } from '../../lib/api.js';
import type { MessageKey } from '../../i18n/index.js';

const FIELD_KEY: Record<string, MessageKey> = {
  name: 'team.name',
  kind: 'team.kind',
  siteId: 'team.site',
  leaderName: 'team.leaderName',
  leaderPhone: 'team.leaderPhone',
  leaderUserId: 'team.leader',
  headcount: 'team.headcount',
  equipment: 'team.equipmentCol',
  assembleMinutes: 'team.assembleMinutes',
  status: 'team.status',
  lastVerifiedAt: 'team.lastVerified',
};

/** A refusal in the user's language: the team's own cases first, then the console's general text. */
export function teamErrorText(err: unknown, t: (k: MessageKey) => string): string {
  if (!(err instanceof ApiError)) return errorText(err);
  if (typeof document !== 'undefined' && document.documentElement.lang === 'en') return err.message;
  const fields = err.facts?.fields ?? [];
  // an import's refusal names its line; its text is zh-CN unless a REST rule (English) refused the row
  const line = fields.find((f) => f.path.startsWith('line '));
  if (err.status === 400 && line) {
    if (line.path === 'line 1' && line.message.includes('表头')) return t('team.err.header');
    const head = t('team.err.line').replace('{line}', line.path.slice(5));
    return /[A-Za-z]{4,}/.test(line.message) ? head : `${head}：${line.message}`;
  }
  if (fields.some((f) => f.path === 'headcount' && /village/.test(f.message))) return t('team.err.shock');
  if (fields.some((f) => f.path === 'leaderUserId')) return t('team.err.leaderUser');
  if (err.status === 403 && fields.some((f) => f.path === 'siteId')) return t('team.err.scope');
  if (err.status === 409 && /unavailable/.test(err.message)) return t('team.err.unavailable');
  if (err.status === 409 && fields.some((f) => f.path === 'name')) return t('team.err.duplicate');
  if (err.status === 409 && /most it may keep/.test(err.message)) return t('team.err.tooMany');
  if (err.status === 404 && err.facts?.path?.startsWith('/teams')) return t('team.err.notFound');
  const known = fields.map((f) => FIELD_KEY[f.path.split('.')[0] ?? '']).filter(Boolean) as MessageKey[];
  if (err.status === 400 && known.length)
    return known.map((k) => t('team.err.field').replace('{field}', t(k))).join('；');
  return errorText(err);
}
