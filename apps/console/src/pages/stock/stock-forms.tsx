import { useState, type FormEvent, type ReactNode } from 'react';
import type { DepotView, SiteView, StockDispatchView, StockItemView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { stockApi } from './stock-api.js';
import { stockErrorText } from './stock-errors.js';

/** A date typed in a date field is that day in Beijing (00:00 +08:00). */
export const beijingDay = (v: string) => (v ? `${v}T00:00:00+08:00` : undefined);
/** "2026-12-07" in Beijing time, for display. */
export const beijingDate = (iso: string | null) =>
  iso ? new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10) : '';

function Form({
  title,
  onSubmit,
  onClose,
  error,
  children,
}: {
  title: string;
  onSubmit: () => Promise<void>;
  onClose: () => void;
  error: string | null;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void onSubmit().finally(() => setBusy(false));
  };
  return (
    <form className="card stock-form" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      {children}
      <div className="stock-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('stock.save')}
        </button>
        <button type="button" onClick={onClose}>
          {t('stock.cancel')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  <label>
    {label}
    {children}
  </label>
);

export function DepotForm({
  sites,
  onDone,
  onClose,
}: {
  sites: SiteView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [f, setF] = useState({ siteId: sites[0]?.id ?? '', name: '', place: '', keeper: '', phone: '' });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  const submit = async () => {
    try {
      // the sites may arrive after the form opened: the first one is the default
      await stockApi.createDepot({ ...f, siteId: f.siteId || (sites[0]?.id ?? '') });
      onDone();
    } catch (err) {
      setError(stockErrorText(err, t, lang));
    }
  };
  return (
    <Form title={t('stock.newDepot')} onSubmit={submit} onClose={onClose} error={error}>
      <Field label={t('stock.site')}>
        <select value={f.siteId || sites[0]?.id} onChange={set('siteId')}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('stock.depotName')}>
        <input value={f.name} required maxLength={200} onChange={set('name')} />
      </Field>
      <Field label={t('stock.place')}>
        <input value={f.place} required maxLength={200} onChange={set('place')} />
      </Field>
      <Field label={t('stock.keeper')}>
        <input value={f.keeper} required maxLength={100} onChange={set('keeper')} />
      </Field>
      <Field label={t('stock.phone')}>
        <input value={f.phone} required maxLength={32} inputMode="tel" onChange={set('phone')} />
      </Field>
    </Form>
  );
}

export function ItemForm({
  depots,
  onDone,
  onClose,
}: {
  depots: DepotView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [f, setF] = useState({
    depotId: depots[0]?.id ?? '',
    code: '',
    name: '',
    quantity: '',
    unit: '',
    expiresAt: '',
    minimum: '',
  });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  const submit = async () => {
    const depotId = f.depotId || depots[0]?.id;
    if (!depotId) return setError(t('stock.err.noDepot'));
    try {
      await stockApi.addItem(depotId, {
        code: f.code.trim(),
        name: f.name,
        quantity: Number(f.quantity),
        unit: f.unit,
        expiresAt: beijingDay(f.expiresAt),
        minimum: f.minimum === '' ? undefined : Number(f.minimum),
      });
      onDone();
    } catch (err) {
      setError(stockErrorText(err, t, lang));
    }
  };
  return (
    <Form title={t('stock.newItem')} onSubmit={submit} onClose={onClose} error={error}>
      <Field label={t('stock.depot')}>
        <select value={f.depotId || depots[0]?.id} onChange={set('depotId')}>
          {depots.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('stock.code')}>
        <input
          value={f.code}
          required
          inputMode="numeric"
          maxLength={20}
          title={t('stock.codeHint')}
          onChange={set('code')}
        />
        <small>{t('stock.codeHint')}</small>
      </Field>
      <Field label={t('stock.name')}>
        <input value={f.name} required maxLength={200} onChange={set('name')} />
      </Field>
      <Field label={t('stock.quantity')}>
        <input value={f.quantity} required type="number" step={1} onChange={set('quantity')} />
      </Field>
      <Field label={t('stock.unit')}>
        <input value={f.unit} required maxLength={20} onChange={set('unit')} />
      </Field>
      <Field label={t('stock.expiresAt')}>
        <input value={f.expiresAt} type="date" onChange={set('expiresAt')} />
      </Field>
      <Field label={t('stock.minimum')}>
        <input value={f.minimum} type="number" min={0} step={1} onChange={set('minimum')} />
      </Field>
    </Form>
  );
}

export function DispatchForm({
  item,
  sites,
  onDone,
  onClose,
}: {
  item: StockItemView;
  sites: SiteView[];
  onDone: (d: StockDispatchView) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const [quantity, setQuantity] = useState('1');
  const [toSiteId, setToSiteId] = useState(sites[0]?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      onDone(
        await stockApi.dispatch({
          itemId: item.id,
          quantity: Number(quantity),
          toSiteId: toSiteId || (sites[0]?.id ?? ''),
        }),
      );
    } catch (err) {
      setError(stockErrorText(err, t, lang));
    }
  };
  return (
    <Form
      title={`${t('stock.dispatchTitle')}：${item.name}（${item.quantity}${item.unit}）`}
      onSubmit={submit}
      onClose={onClose}
      error={error}
    >
      <Field label={t('stock.quantity')}>
        <input
          value={quantity}
          required
          type="number"
          min={1}
          step={1}
          onChange={(e) => setQuantity(e.target.value)}
        />
      </Field>
      <Field label={t('stock.toSite')}>
        <select value={toSiteId || sites[0]?.id} onChange={(e) => setToSiteId(e.target.value)}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </Field>
    </Form>
  );
}
