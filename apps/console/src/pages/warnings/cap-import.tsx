import { useRef, useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { warningApi } from './warning-api.js';

/** Largest file read in the browser; the server's own limit (MAX_CAP_BYTES) answers beyond it. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * 导入 CAP: another system's alert (a meteorological bureau's, say) from a file, sent as it
 * is; the hub validates it and makes a draft that goes through review like any other.
 */
export function CapImport({
  onImported,
  onError,
}: {
  onImported: (id: string) => void;
  onError: (err: unknown) => void;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const read = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const xml = await file.slice(0, MAX_FILE_BYTES + 1).text();
      const res = await warningApi.importCap(xml);
      onImported(res.id);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <label className="warn-import">
      <span className="warn-import-button">{t('warn.import')}</span>
      <input
        ref={input}
        type="file"
        accept=".xml,.cap,application/xml,application/cap+xml"
        disabled={busy}
        data-testid="warn-import"
        onChange={(e) => void read(e.target.files?.[0])}
      />
    </label>
  );
}
