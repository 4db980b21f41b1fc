import { useState } from 'react';
import { useI18n } from '../i18n/index.js';
import { formatDate } from '../lib/time.js';

/**
 * 导出 CSV and 打印 for a record on screen. The CSV is built in the browser from what the
 * page holds (or fetches for it) and handed over as a download; 打印 uses the print
 * stylesheet (styles/print.css), which keeps only the record and its heading.
 */
export function OutputButtons({
  onCsv,
  testId,
}: {
  /** builds and downloads the file; a rejection is shown by the page */
  onCsv: () => Promise<void> | void;
  testId: string;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  return (
    <span className="output-buttons no-print">
      <button
        type="button"
        data-testid={`${testId}-csv`}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void Promise.resolve()
            .then(onCsv)
            .finally(() => setBusy(false));
        }}
      >
        {busy ? t('out.exporting') : t('out.csv')}
      </button>
      <button type="button" data-testid={`${testId}-print`} onClick={() => window.print()}>
        {t('out.print')}
      </button>
    </span>
  );
}

/** The heading a printed page carries and the screen does not show: what it is, and when it was printed. */
export function PrintHead({ title }: { title: string }) {
  const { t, lang } = useI18n();
  return (
    <p className="print-only print-head" data-testid="print-head">
      {title} · {t('out.printedAt')} {formatDate(new Date().toISOString(), lang)}
    </p>
  );
}
