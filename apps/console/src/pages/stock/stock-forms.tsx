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

/**
 * A form card of the stock and expert pages: title, fields, 保存 (off while sending) and 取消.
 * `onSubmit` sends; a refusal it throws, or a sentence it returns, shows under the buttons.
 */
export function FormCard({
  title,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  onSubmit: () => Promise<string | void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void onSubmit()
      .then(
        (refused) => setError(refused ?? null),
        (err: unknown) => setError(stockErrorText(err, t, lang)),
      )
      .finally(() => setBusy(false));
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

export const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  <label>
    {label}
    {children}
  </label>
);

/**
 * One of `options` (sites, depots) by name. The list may arrive after the form opened: until
 * one is picked, the first is shown, and `orFirst` sends it.
 */
export function PickOne({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: { id: string; name: string }[];
  onChange: (id: string) => void;
}) {
  return (
    <Field label={label}>
      <select value={value || options[0]?.id} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}
export const orFirst = (id: string, options: { id: string }[]) => id || (options[0]?.id ?? '');

/** A form's text fields as one record: `set('name')` is the input's onChange. */
export function useFields<F extends Record<string, string>>(initial: F) {
  const [f, setF] = useState(initial);
  const set = (k: keyof F) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const put = (k: keyof F) => (v: string) => setF({ ...f, [k]: v });
  return { f, set, put };
}

export function DepotForm({
  sites,
  onDone,
  onClose,
}: {
  sites: SiteView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { f, set, put } = useFields({ siteId: '', name: '', place: '', keeper: '', phone: '' });
  const submit = async () => {
    await stockApi.createDepot({ ...f, siteId: orFirst(f.siteId, sites) });
    onDone();
  };
  return (
    <FormCard title={t('stock.newDepot')} onSubmit={submit} onClose={onClose}>
      <PickOne label={t('stock.site')} value={f.siteId} options={sites} onChange={put('siteId')} />
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
    </FormCard>
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
  const { t } = useI18n();
  const { f, set, put } = useFields({
    depotId: '',
    code: '',
    name: '',
    quantity: '',
    unit: '',
    expiresAt: '',
    minimum: '',
  });
  const submit = async () => {
    const depotId = orFirst(f.depotId, depots);
    if (!depotId) return t('stock.err.noDepot');
    await stockApi.addItem(depotId, {
      code: f.code.trim(),
      name: f.name,
      quantity: Number(f.quantity),
      unit: f.unit,
      expiresAt: beijingDay(f.expiresAt),
      minimum: f.minimum === '' ? undefined : Number(f.minimum),
    });
    onDone();
  };
  return (
    <FormCard title={t('stock.newItem')} onSubmit={submit} onClose={onClose}>
      <PickOne label={t('stock.depot')} value={f.depotId} options={depots} onChange={put('depotId')} />
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
    </FormCard>
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
  const { t } = useI18n();
  const { f, set, put } = useFields({ quantity: '1', toSiteId: '' });
  const submit = async () => {
    onDone(
      await stockApi.dispatch({
        itemId: item.id,
        quantity: Number(f.quantity),
        toSiteId: orFirst(f.toSiteId, sites),
      }),
    );
  };
  return (
    <FormCard
      title={`${t('stock.dispatchTitle')}：${item.name}（${item.quantity}${item.unit}）`}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field label={t('stock.quantity')}>
        <input value={f.quantity} required type="number" min={1} step={1} onChange={set('quantity')} />
      </Field>
      <PickOne label={t('stock.toSite')} value={f.toSiteId} options={sites} onChange={put('toSiteId')} />
    </FormCard>
  );
}
