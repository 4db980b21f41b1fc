import {
  CreateTeamRequestSchema,
  PHONE_MESSAGE,
  PHONE_PATTERN,
  type CreateTeamRequest,
  type TeamKind,
  type TeamStatus,
  type TeamView,
} from '#contracts';
import { csvField, readTable, writeTable, type CsvIssue, type FieldResult, type TableSpec } from './csv.js';

/**
 * 应急队伍 as CSV (docs/resources.md): the export's columns, and reading the same file back
 * into create requests with the REST rules (CreateTeamRequestSchema). Kinds and statuses are
 * written in Chinese; the codes are accepted too.
 */

/** Rows one import may hold: a county's teams, with room. */
export const MAX_TEAM_IMPORT_ROWS = 1000;

export const TEAM_KIND_LABELS: Record<TeamKind, string> = {
  general: '综合',
  flood: '防汛',
  'forest-fire': '森林消防',
  hazmat: '危化',
  medical: '医疗',
  'village-shock': '村级突击队',
  other: '其他',
};

export const TEAM_STATUS_LABELS: Record<TeamStatus, string> = {
  available: '待命',
  alerted: '已通知',
  deployed: '已出动',
  unavailable: '不可用',
};

export interface TeamCsvRow {
  name: string;
  kind: TeamKind;
  siteId: string;
  /** written for the reader; not read back (the id decides) */
  siteName: string | null;
  leaderName: string;
  leaderPhone: string;
  leaderUserId: string | null;
  headcount: number;
  equipment: string[];
  assembleMinutes: number;
  status: TeamStatus;
  lastVerifiedAt: string | null;
}

const ok = <V>(value: V): FieldResult<V> => ({ ok: true, value });
const no = (message: string): FieldResult<never> => ({ ok: false, message });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const byLabel = <K extends string>(labels: Record<K, string>, what: string) => {
  const codes = Object.keys(labels) as K[];
  return (raw: string): FieldResult<K> => {
    const v = raw.trim();
    const code = codes.find((c) => c === v || labels[c] === v);
    return code ? ok(code) : no(`${what}应为${codes.map((c) => labels[c]).join('、')}之一`);
  };
};
const uuid =
  (required: boolean) =>
  (raw: string): FieldResult<string | null> => {
    const v = raw.trim();
    if (!v) return required ? no('不能为空') : ok(null);
    return UUID.test(v) ? ok(v.toLowerCase()) : no('应为编号（UUID）');
  };
const phone = (raw: string): FieldResult<string> => {
  const v = raw.trim();
  return PHONE_PATTERN.test(v) ? ok(v) : no(`电话格式不正确（${PHONE_MESSAGE}）`);
};
const equipment = (raw: string): FieldResult<string[]> =>
  ok(
    raw
      .split(/[、;；\n]/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
/** A date alone is that day in Beijing; a date-time keeps its offset. */
const verified = (raw: string): FieldResult<string | null> => {
  const r = csvField.optionalDate(raw);
  if (!r.ok || r.value === null) return r;
  return ok(/^\d{4}-\d{2}-\d{2}$/.test(r.value) ? `${r.value}T00:00:00+08:00` : r.value);
};
const text = (max: number) => csvField.text(max) as (raw: string) => FieldResult<unknown>;
const int = (min: number, max: number) => csvField.int(min, max) as (raw: string) => FieldResult<unknown>;

export const TEAM_CSV: TableSpec<TeamCsvRow> = {
  columns: [
    { header: '队伍名称', key: 'name', parse: text(60), format: (r) => r.name },
    {
      header: '类型',
      key: 'kind',
      parse: byLabel(TEAM_KIND_LABELS, '类型'),
      format: (r) => TEAM_KIND_LABELS[r.kind],
    },
    { header: '单位编号', key: 'siteId', parse: uuid(true), format: (r) => r.siteId },
    {
      header: '单位名称',
      key: 'siteName',
      parse: csvField.optionalText(200),
      format: (r) => r.siteName ?? '',
    },
    { header: '队长', key: 'leaderName', parse: text(50), format: (r) => r.leaderName },
    { header: '队长电话', key: 'leaderPhone', parse: phone, format: (r) => r.leaderPhone },
    { header: '队长账号编号', key: 'leaderUserId', parse: uuid(false), format: (r) => r.leaderUserId ?? '' },
    { header: '人数', key: 'headcount', parse: int(1, 100_000), format: (r) => String(r.headcount) },
    { header: '装备', key: 'equipment', parse: equipment, format: (r) => r.equipment.join('、') },
    {
      header: '集结时间（分钟）',
      key: 'assembleMinutes',
      parse: int(0, 10_080),
      format: (r) => String(r.assembleMinutes),
    },
    {
      header: '状态',
      key: 'status',
      parse: byLabel(TEAM_STATUS_LABELS, '状态'),
      format: (r) => TEAM_STATUS_LABELS[r.status],
    },
    { header: '最近核验', key: 'lastVerifiedAt', parse: verified, format: (r) => r.lastVerifiedAt ?? '' },
  ],
};

export function teamsCsv(teams: readonly TeamView[]): string {
  return writeTable(teams, TEAM_CSV);
}

/** The zh name of a request field, for a row refused by the REST rules. */
const HEADER_OF = Object.fromEntries(TEAM_CSV.columns.map((c) => [c.key, c.header])) as Record<
  string,
  string
>;

export type TeamImportRead =
  { ok: true; rows: { line: number; request: CreateTeamRequest }[] } | { ok: false; issue: CsvIssue };

/**
 * The file as create requests, or its first fault (header, a row's shape, a field, the REST
 * rules, the same name twice for one site). Only 不可用 sets a status: 已通知 and 已出动 follow
 * from alerts, so they read back as 待命 (the team's alert keeps deciding).
 */
export function readTeamsCsv(textIn: string): TeamImportRead {
  const read = readTable(textIn, TEAM_CSV, {
    maxRows: MAX_TEAM_IMPORT_ROWS,
    maxColumns: TEAM_CSV.columns.length + 5,
    maxFieldLength: 2000,
  });
  if (!read.ok) return read;
  const seen = new Map<string, number>();
  const rows: { line: number; request: CreateTeamRequest }[] = [];
  for (const { line, value } of read.rows) {
    const parsed = CreateTeamRequestSchema.safeParse({
      name: value.name,
      kind: value.kind,
      siteId: value.siteId,
      leaderName: value.leaderName,
      leaderPhone: value.leaderPhone,
      leaderUserId: value.leaderUserId,
      headcount: value.headcount,
      equipment: value.equipment,
      assembleMinutes: value.assembleMinutes,
      status: value.status === 'unavailable' ? 'unavailable' : 'available',
      lastVerifiedAt: value.lastVerifiedAt ?? undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = String(issue.path[0] ?? '');
      return {
        ok: false,
        issue: { line, message: `第${line}行（${HEADER_OF[key] ?? key}）：${issue.message}` },
      };
    }
    const key = `${parsed.data.siteId}\u0000${parsed.data.name.toLowerCase()}`;
    const first = seen.get(key);
    if (first)
      return { ok: false, issue: { line, message: `第${line}行：队伍名称与第${first}行重复（同一单位）` } };
    seen.set(key, line);
    rows.push({ line, request: parsed.data });
  }
  return { ok: true, rows };
}
