import type { OnBehalfMethod, OnBehalfRecord } from '#contracts';
import type { MessageKey } from '../i18n/index.js';

export const METHOD_LABEL: Record<OnBehalfMethod, MessageKey> = {
  phone: 'record.method.phone',
  radio: 'record.method.radio',
  in_person: 'record.method.inPerson',
};

const SIGNED_LABEL: Record<OnBehalfMethod, MessageKey> = {
  phone: 'record.signed.phone',
  radio: 'record.signed.radio',
  in_person: 'record.signed.inPerson',
};

/** 「电话代签 · 张三 · 备注」: what a 代签收 left on the record, as the board row and the audit log show it. */
export function onBehalfSummary(rec: Partial<OnBehalfRecord>, t: (k: MessageKey) => string): string {
  const how = t(rec.method ? SIGNED_LABEL[rec.method] : 'record.signed.any');
  return [how, rec.person, rec.phone, rec.note].filter((x): x is string => !!x).join(' · ');
}
