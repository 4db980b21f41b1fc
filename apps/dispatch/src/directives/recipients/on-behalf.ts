import type { AckDirectiveRequest, TransitionVia } from '#contracts';
import { onBehalfDetailsDenial, type OnBehalfDetails } from '#domain';
import { refuse } from '../shared/refuse.js';

/**
 * The record of a 代签收 from a REST 签收: how the site answered, who, their phone and when.
 * It travels with the 签收 into its history event and audit entry (append-only), and the
 * recipient view reads it back from there (shared/views.ts `ON_BEHALF_COLUMN`).
 */
export function onBehalfOf(via: TransitionVia, req: AckDirectiveRequest): { onBehalf?: OnBehalfDetails } {
  const onBehalf = via === 'on_behalf';
  refuse(onBehalfDetailsDenial(onBehalf, req));
  if (!onBehalf) return {};
  return {
    onBehalf: {
      method: req.method ?? null,
      person: req.person ?? null,
      phone: req.phone ?? null,
      at: req.at ? new Date(req.at).toISOString() : null,
    },
  };
}
