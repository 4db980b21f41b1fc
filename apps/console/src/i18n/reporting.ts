import { enReporting } from './en-reporting.js';
import { useI18n } from './index.js';
import { zhReporting, type RepKey } from './zh-reporting.js';

export type { RepKey };

/** The 信息报送 pages' texts in the user's language (zh-CN first). */
export function useRep(): { r: (key: RepKey) => string; lang: string } {
  const { lang } = useI18n();
  return { r: (key) => (lang === 'en' ? enReporting : zhReporting)[key], lang };
}
