import { useCallback, useRef, useState } from 'react';
import { downloadCsv } from '../lib/csv.js';
import type { CsvImported } from '../lib/csv-api.js';

/**
 * The notice and error lines of a list page (teams, stock, experts): `fail` shows a refusal
 * in the page's words, `say` a success and clears the refusal.
 */
export function usePageMessages(errorText: (err: unknown) => string) {
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // the words follow the language; `fail` stays the same function so loaders need not re-run
  const words = useRef(errorText);
  words.current = errorText;
  const fail = useCallback((err: unknown) => setError(words.current(err)), []);
  const say = useCallback((text: string) => {
    setError(null);
    setNotice(text);
  }, []);
  const clearNotice = useCallback(() => setNotice(null), []);
  return { notice, error, fail, say, clearNotice };
}

export function PageMessages({
  notice,
  error,
  noticeClass = 'notice',
  noticeTestId,
}: {
  notice: string | null;
  error: string | null;
  noticeClass?: string;
  noticeTestId?: string;
}) {
  return (
    <>
      {notice && (
        <p role="status" className={noticeClass} data-testid={noticeTestId}>
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * 导出 and 导入 of a list as CSV. The file input stays hidden behind a button: the browser's
 * own picker text ("Choose File") is not zh-CN. Its aria-label keeps it reachable by name.
 */
export function CsvButtons({
  exportLabel,
  importLabel,
  fileName,
  canImport,
  api,
  onImported,
  onError,
}: {
  exportLabel: string;
  importLabel: string;
  /** the download's name, asked at the click (it may carry the time) */
  fileName: () => string;
  canImport: boolean;
  api: { exportCsv(): Promise<string>; importCsv(text: string): Promise<CsvImported> };
  onImported: (r: CsvImported) => void;
  onError: (err: unknown) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const exportCsv = async () => {
    try {
      downloadCsv(fileName(), await api.exportCsv());
    } catch (err) {
      onError(err);
    }
  };
  const importCsv = async (file: File | undefined) => {
    if (!file) return;
    try {
      onImported(await api.importCsv(await file.text()));
    } catch (err) {
      onError(err);
    } finally {
      // the same file may be chosen again after it is fixed
      if (input.current) input.current.value = '';
    }
  };
  return (
    <>
      <button type="button" onClick={() => void exportCsv()}>
        {exportLabel}
      </button>
      {canImport && (
        <>
          <button type="button" onClick={() => input.current?.click()}>
            {importLabel}
          </button>
          <input
            ref={input}
            hidden
            name="importCsv"
            type="file"
            accept=".csv,text/csv"
            aria-label={importLabel}
            onChange={(e) => void importCsv(e.target.files?.[0])}
          />
        </>
      )}
    </>
  );
}

/** "导入完成：新增{created}条，更新{updated}条" with the counts of an import. */
export const importedText = (template: string, r: CsvImported) =>
  template.replace('{created}', String(r.created)).replace('{updated}', String(r.updated));
