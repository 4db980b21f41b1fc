import { useState, type FormEvent } from 'react';
import type { UserView } from '#contracts';
import { useI18n } from '../i18n/index.js';
import { alarm } from '../lib/alarm.js';
import { api, errorText, session } from '../lib/api.js';

export function LoginPage({ onLogin }: { onLogin: (user: UserView) => void }) {
  const { t, toggle } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // the login click is the user gesture that lets the duty-room alarm play later
    void alarm.unlock().catch(() => undefined);
    setBusy(true);
    setError(null);
    try {
      const res = await api.login({ username, password });
      session.set(res.accessToken);
      onLogin(res.user);
    } catch (err) {
      setError(`${t('loginFailed')}: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('appName')}</h1>
        <label>
          {t('username')}
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('login')}
        </button>
        <button type="button" className="link" onClick={toggle}>
          {t('switchLanguage')}
        </button>
      </form>
    </main>
  );
}
