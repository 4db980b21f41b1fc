import { EXPERT_CATEGORIES, EXPERT_CATEGORY_LABELS, PHONE_PATTERN, type ExpertCategory } from '#contracts';
import { csvField, type FieldResult, type TableSpec } from '#domain';

/** One row of 专家库.csv; an empty 编号 is a new expert, a known one is overwritten. */
export interface ExpertCsvRow {
  id: string | null;
  siteId: string;
  name: string;
  category: ExpertCategory;
  specialty: string;
  organisation: string;
  phones: string[];
  available: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid =
  (optional: boolean) =>
  (raw: string): FieldResult<string | null> => {
    const v = raw.trim().toLowerCase();
    if (!v && optional) return { ok: true, value: null };
    return UUID.test(v) ? { ok: true, value: v } : { ok: false, message: '应为编号（UUID）' };
  };

/** The zh label (自然灾害) or the code (natural). */
function category(raw: string): FieldResult<ExpertCategory> {
  const v = raw.trim();
  const found = EXPERT_CATEGORIES.find((c) => c === v || EXPERT_CATEGORY_LABELS[c] === v);
  return found
    ? { ok: true, value: found }
    : { ok: false, message: '应为自然灾害、事故灾难、公共卫生或社会安全' };
}

function phones(raw: string): FieldResult<string[]> {
  const r = csvField.list(32, 5)(raw);
  if (!r.ok) return r;
  if (r.value.length === 0) return { ok: false, message: '至少一个电话' };
  const bad = r.value.find((p) => !PHONE_PATTERN.test(p));
  return bad ? { ok: false, message: `“${bad.slice(0, 32)}”不是电话号码` } : r;
}

export const EXPERTS_CSV: TableSpec<ExpertCsvRow> = {
  columns: [
    { header: '编号', key: 'id', parse: uuid(true), format: (r) => r.id ?? '' },
    { header: '所属单位编号', key: 'siteId', parse: uuid(false), format: (r) => r.siteId },
    { header: '姓名', key: 'name', parse: csvField.text(100), format: (r) => r.name },
    { header: '类别', key: 'category', parse: category, format: (r) => EXPERT_CATEGORY_LABELS[r.category] },
    { header: '专业', key: 'specialty', parse: csvField.text(200), format: (r) => r.specialty },
    { header: '工作单位', key: 'organisation', parse: csvField.text(200), format: (r) => r.organisation },
    { header: '电话', key: 'phones', parse: phones, format: (r) => r.phones.join(';') },
    { header: '可用', key: 'available', parse: csvField.yesNo, format: (r) => (r.available ? '是' : '否') },
  ],
};
