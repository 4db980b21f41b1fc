import { useCallback, useEffect, useState } from 'react';
import type { DepotView, SiteView, StockItemView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { CsvButtons, importedText, PageMessages, usePageMessages } from '../../components/resource-list.js';
import { api } from '../../lib/api.js';
import { csvName } from '../../lib/csv.js';
import '../../styles/stock.css';
import { stockApi } from './stock-api.js';
import { stockErrorText } from './stock-errors.js';
import { beijingDate, DepotForm, DispatchForm, ItemForm } from './stock-forms.js';

const mayKeep = (u: UserView) => u.role === 'admin' || u.role === 'commander';
const mayDispatch = (u: UserView) => u.role !== 'duty_officer';

function Flags({ item }: { item: StockItemView }) {
  const { t } = useI18n();
  if (!item.expired && !item.expiringSoon && !item.belowMinimum)
    return <span className="stock-flag ok">{t('stock.flag.ok')}</span>;
  return (
    <>
      {item.expired && <span className="stock-flag expired">{t('stock.flag.expired')}</span>}
      {item.expiringSoon && <span className="stock-flag soon">{t('stock.flag.soon')}</span>}
      {item.belowMinimum && <span className="stock-flag low">{t('stock.flag.low')}</span>}
    </>
  );
}

/**
 * 应急物资: the depots in scope, their items with the expiry and minimum flags, 调拨 of an
 * item to a site, and the CSV export and import (docs/stock-and-experts.md).
 */
export default function StockPage({ user }: { user: UserView }) {
  const { t, lang } = useI18n();
  const [depots, setDepots] = useState<DepotView[]>([]);
  const [items, setItems] = useState<StockItemView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [within, setWithin] = useState(30);
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  const [form, setForm] = useState<'depot' | 'item' | StockItemView | null>(null);
  const { notice, error, fail, say } = usePageMessages((err) => stockErrorText(err, t, lang));

  const load = useCallback(() => {
    stockApi.depots().then(setDepots, fail);
    stockApi
      .items(
        onlyFlagged ? { expiringWithinDays: within, belowMinimum: true } : { expiringWithinDays: undefined },
      )
      .then(setItems, fail);
  }, [fail, onlyFlagged, within]);
  useEffect(load, [load]);
  useEffect(() => {
    api.sites().then(setSites, fail);
  }, [fail]);

  // the flags follow the chosen window even when all items are shown
  const shown = items.map((i) => {
    if (onlyFlagged || !i.expiresAt || i.expired) return i;
    return { ...i, expiringSoon: Date.parse(i.expiresAt) <= Date.now() + within * 86_400_000 };
  });

  const done = (text: string) => {
    setForm(null);
    say(text);
    load();
  };
  return (
    <div className="stock-page">
      <div className="stock-top">
        <h1>{t('stock.title')}</h1>
        {mayKeep(user) && <button onClick={() => setForm('depot')}>{t('stock.newDepot')}</button>}
        {mayKeep(user) && <button onClick={() => setForm('item')}>{t('stock.newItem')}</button>}
        <CsvButtons
          exportLabel={t('stock.export')}
          importLabel={t('stock.import')}
          fileName={() => csvName(t('stock.title'))}
          canImport={mayKeep(user)}
          api={stockApi}
          onImported={(r) => done(importedText(t('stock.imported'), r))}
          onError={fail}
        />
      </div>
      <PageMessages notice={notice} error={error} />
      {form === 'depot' && (
        <DepotForm sites={sites} onDone={() => done(t('stock.saved'))} onClose={() => setForm(null)} />
      )}
      {form === 'item' && (
        <ItemForm depots={depots} onDone={() => done(t('stock.saved'))} onClose={() => setForm(null)} />
      )}
      {form && typeof form === 'object' && (
        <DispatchForm
          item={form}
          sites={sites}
          onDone={(d) => done(`${t('stock.dispatched')} ${d.remaining}${d.unit}`)}
          onClose={() => setForm(null)}
        />
      )}
      <section className="card">
        <h2>{t('stock.depots')}</h2>
        {depots.length === 0 ? (
          <p>{t('stock.noDepots')}</p>
        ) : (
          <ul className="stock-depots">
            {depots.map((d) => (
              <li key={d.id}>
                <strong>{d.name}</strong>（{d.siteName}）{d.place} · {t('stock.keeper')} {d.keeper} {d.phone}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <div className="stock-top">
          <h2>{t('stock.items')}</h2>
          <label>
            {t('stock.within')}
            <input
              type="number"
              min={0}
              max={3650}
              value={within}
              onChange={(e) => setWithin(Math.max(0, Math.min(3650, Number(e.target.value) || 0)))}
            />
          </label>
          <label>
            <input type="checkbox" checked={onlyFlagged} onChange={(e) => setOnlyFlagged(e.target.checked)} />
            {t('stock.onlyFlagged')}
          </label>
        </div>
        {shown.length === 0 ? (
          <p>{t('stock.noItems')}</p>
        ) : (
          <div className="table-scroll">
            <table className="stock-items">
              <thead>
                <tr>
                  <th>{t('stock.depot')}</th>
                  <th>{t('stock.code')}</th>
                  <th>{t('stock.name')}</th>
                  <th>{t('stock.quantity')}</th>
                  <th>{t('stock.expiresAt')}</th>
                  <th>{t('stock.minimum')}</th>
                  <th>{t('stock.flags')}</th>
                  {mayDispatch(user) && <th>{t('stock.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((i) => (
                  <tr key={i.id} data-item={i.code}>
                    <td>{i.depotName}</td>
                    <td>{i.code}</td>
                    <td>{i.name}</td>
                    <td className="stock-qty">
                      {i.quantity}
                      {i.unit}
                    </td>
                    <td>{beijingDate(i.expiresAt)}</td>
                    <td>{i.minimum ?? ''}</td>
                    <td>
                      <Flags item={i} />
                    </td>
                    {mayDispatch(user) && (
                      <td>
                        <button onClick={() => setForm(i)}>{t('stock.dispatch')}</button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
