import { useRef, useState } from 'react';
import type { TerminalCredentials } from '#contracts';
import { useI18n } from '../../i18n/index.js';

/**
 * A terminal's secret, shown this once after provisioning or rotation, with a copy button:
 * retyping a long secret onto a device at 3 a.m. is where mistakes happen.
 */
export function SecretBox({ cred, onClose }: { cred: TerminalCredentials; onClose: () => void }) {
  const { t } = useI18n();
  const secretRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<'ok' | 'manual' | null>(null);
  const copy = () => {
    // the clipboard API exists only in secure contexts; a hub reached over plain http
    // falls back to selecting the secret for Ctrl+C
    const fallback = () => {
      if (secretRef.current) window.getSelection()?.selectAllChildren(secretRef.current);
      setCopied('manual');
    };
    const clip = window.isSecureContext ? navigator.clipboard : undefined;
    if (!clip) return fallback();
    clip.writeText(cred.secret).then(() => setCopied('ok'), fallback);
  };
  return (
    <div role="status" className="secret record-secret">
      <strong>{t('secretOnce')}</strong>
      <span>
        {t('record.term.id')} <code data-testid="terminal-id">{cred.id}</code>
      </span>
      <span>
        {t('record.term.secret')}{' '}
        <code ref={secretRef} data-testid="terminal-secret">
          {cred.secret}
        </code>
      </span>
      <button type="button" className="primary" onClick={copy} data-testid="copy-secret">
        {t('record.term.copySecret')}
      </button>
      {copied && (
        <span className="hint" data-testid="copy-result">
          {t(copied === 'ok' ? 'record.term.copied' : 'record.term.copyManually')}
        </span>
      )}
      <button type="button" onClick={onClose}>
        {t('close')}
      </button>
    </div>
  );
}
