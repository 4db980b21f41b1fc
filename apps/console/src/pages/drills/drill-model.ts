import type { DrillKind, DrillSecondsView, DrillState } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';
import { beijingInputToIso } from '../warnings/beijing-time.js';

/** A browser-side copy of the kinds (a value import from the contracts would bring zod). */
export const KINDS: DrillKind[] = ['tabletop', 'functional', 'full', 'no-notice'];
export const KIND_KEY: Record<DrillKind, MessageKey> = {
  tabletop: 'drill.kind.tabletop',
  functional: 'drill.kind.functional',
  full: 'drill.kind.full',
  'no-notice': 'drill.kind.no-notice',
};
export const STATE_KEY: Record<DrillState, MessageKey> = {
  scheduled: 'drill.state.scheduled',
  running: 'drill.state.running',
  ended: 'drill.state.ended',
};

export interface DrillForm {
  name: string;
  kind: DrillKind;
  siteIds: string[];
  /** "2026-12-07 09:00", Beijing time */
  startsAt: string;
  endsAt: string;
}

export type DrillFormProblem = 'drill.err.badTime' | 'drill.err.noSites' | null;

/** The request from the form, or the first thing the user must fix (the server checks the rest). */
export function drillRequest(
  f: DrillForm,
):
  | { ok: true; body: Omit<DrillForm, 'startsAt' | 'endsAt'> & { startsAt: string; endsAt: string } }
  | { ok: false; problem: Exclude<DrillFormProblem, null> } {
  if (f.siteIds.length === 0) return { ok: false, problem: 'drill.err.noSites' };
  const startsAt = beijingInputToIso(f.startsAt);
  const endsAt = beijingInputToIso(f.endsAt);
  if (!startsAt || !endsAt) return { ok: false, problem: 'drill.err.badTime' };
  return { ok: true, body: { name: f.name.trim(), kind: f.kind, siteIds: f.siteIds, startsAt, endsAt } };
}

/** "12 / 30 秒": median and max, or "—" when nothing was answered. */
export function secondsText(s: DrillSecondsView, unit: string): string {
  if (s.median === null || s.max === null) return '—';
  return `${s.median} / ${s.max} ${unit}`;
}
