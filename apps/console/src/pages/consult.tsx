import type { UserView } from '#contracts';
import { useI18n } from '../i18n/index.js';

/** 视频会商: waits for the SFU signalling client (apps/sfu); until then it says so. */
export function ConsultPage(_props: { user: UserView }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="consult-title">
      <h2 id="consult-title">{t('consult')}</h2>
      <p role="status">{t('consultUnavailable')}</p>
    </section>
  );
}
