import type {
  CreateWarningRequest,
  SiteView,
  UpdateWarningRequest,
  WarningLevelName,
  WarningStatus,
  WarningView,
} from '#contracts';
import type { MessageKey } from '../../i18n/index.js';
import { beijingInput, beijingInputToIso } from './beijing-time.js';

/** The composer's fields as typed: times as Beijing wall time, the area as chosen sites. */
export interface WarningForm {
  event: string;
  level: WarningLevelName;
  headline: string;
  description: string;
  instruction: string;
  siteIds: string[];
  /** codes of the warning being updated that no site in scope carries (an imported area): kept */
  extraCodes: string[];
  onset: string;
  expires: string;
  status: WarningStatus;
  enHeadline: string;
  enDescription: string;
  enInstruction: string;
}

export type FormField =
  'event' | 'headline' | 'description' | 'instruction' | 'areas' | 'onset' | 'expires' | 'en';
export type FormProblems = Partial<Record<FormField, MessageKey>>;

/** A fresh draft: yellow, from now for six hours, a real (正式) warning. */
export function emptyForm(now: number): WarningForm {
  return {
    event: '',
    level: 'yellow',
    headline: '',
    description: '',
    instruction: '',
    siteIds: [],
    extraCodes: [],
    onset: beijingInput(now),
    expires: beijingInput(now + 6 * 3600_000),
    status: 'Actual',
    enHeadline: '',
    enDescription: '',
    enInstruction: '',
  };
}

/** The update (变更) form starts from the warning as published. */
export function formFromWarning(w: WarningView, sites: readonly SiteView[]): WarningForm {
  const byCode = new Map(sites.filter((s) => s.regionCode).map((s) => [s.regionCode!, s.id]));
  return {
    event: w.event,
    level: w.level,
    headline: w.headline,
    description: w.description,
    instruction: w.instruction,
    siteIds: w.areas.regionCodes.flatMap((c) => (byCode.has(c) ? [byCode.get(c)!] : [])),
    extraCodes: w.areas.regionCodes.filter((c) => !byCode.has(c)),
    onset: beijingInput(Date.parse(w.onset)),
    expires: beijingInput(Date.parse(w.expires)),
    status: w.status,
    enHeadline: w.en?.headline ?? '',
    enDescription: w.en?.description ?? '',
    enInstruction: w.en?.instruction ?? '',
  };
}

/** The region codes of the chosen sites (and the kept extra codes), each once, in code order. */
export function regionCodes(
  form: Pick<WarningForm, 'siteIds' | 'extraCodes'>,
  sites: readonly SiteView[],
): string[] {
  const chosen = new Set(form.siteIds);
  const codes = sites.filter((s) => chosen.has(s.id) && s.regionCode).map((s) => s.regionCode!);
  return [...new Set([...codes, ...form.extraCodes])].sort();
}

/**
 * The part of a region code its subdivisions share: a copy of libs/domain's `regionPrefix`,
 * so the composer can say how many sites a choice reaches before it is sent.
 */
export function regionPrefix(code: string): string {
  let c = code;
  if (c.length === 12 && c.endsWith('000')) c = c.slice(0, 9);
  if (c.length === 9 && c.endsWith('000')) c = c.slice(0, 6);
  if (c.length === 6 && c.endsWith('00')) c = c.slice(0, 4);
  if (c.length === 4 && c.endsWith('00')) c = c.slice(0, 2);
  return c;
}

/** The sites in scope whose region code lies in the area. */
export function sitesReached(codes: readonly string[], sites: readonly SiteView[]): number {
  const prefixes = codes.map(regionPrefix);
  return sites.filter((s) => s.regionCode && prefixes.some((p) => s.regionCode!.startsWith(p))).length;
}

/** What is wrong with the form before anything is sent (the server checks again). */
export function formProblems(form: WarningForm, sites: readonly SiteView[]): FormProblems {
  const p: FormProblems = {};
  for (const f of ['event', 'headline', 'description', 'instruction'] as const)
    if (!form[f].trim()) p[f] = 'warn.check.required';
  if (regionCodes(form, sites).length === 0) p.areas = 'warn.check.areas';
  const onset = beijingInputToIso(form.onset);
  const expires = beijingInputToIso(form.expires);
  if (!onset) p.onset = 'warn.check.time';
  if (!expires) p.expires = 'warn.check.time';
  else if (onset && Date.parse(expires) <= Date.parse(onset)) p.expires = 'warn.check.order';
  const anyEn = [form.enHeadline, form.enDescription, form.enInstruction].some((v) => v.trim());
  if (anyEn && (!form.enHeadline.trim() || !form.enDescription.trim())) p.en = 'warn.check.enPair';
  return p;
}

function english(form: WarningForm): CreateWarningRequest['en'] {
  if (!form.enHeadline.trim()) return undefined;
  return {
    headline: form.enHeadline.trim(),
    description: form.enDescription.trim(),
    ...(form.enInstruction.trim() ? { instruction: form.enInstruction.trim() } : {}),
  };
}

/** POST /warnings from a form without problems. */
export function createRequest(form: WarningForm, sites: readonly SiteView[]): CreateWarningRequest {
  const en = english(form);
  return {
    event: form.event.trim(),
    level: form.level,
    headline: form.headline.trim(),
    description: form.description.trim(),
    instruction: form.instruction.trim(),
    areas: { regionCodes: regionCodes(form, sites) },
    onset: beijingInputToIso(form.onset)!,
    expires: beijingInputToIso(form.expires)!,
    ...(form.status !== 'Actual' ? { status: form.status } : {}),
    ...(en ? { en } : {}),
  };
}

const sameCodes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((c, i) => c === [...b].sort()[i]);

/**
 * POST /warnings/:id/update: only what changed (the rest carries over on the server);
 * null when nothing did. Polygons of the original are kept by sending none.
 */
export function updateRequest(
  form: WarningForm,
  original: WarningView,
  sites: readonly SiteView[],
): UpdateWarningRequest | null {
  const next = createRequest(form, sites);
  const r: UpdateWarningRequest = {};
  if (next.event !== original.event) r.event = next.event;
  if (next.level !== original.level) r.level = next.level;
  if (next.headline !== original.headline) r.headline = next.headline;
  if (next.description !== original.description) r.description = next.description;
  if (next.instruction !== original.instruction) r.instruction = next.instruction;
  if (!sameCodes(next.areas.regionCodes, original.areas.regionCodes))
    r.areas = {
      regionCodes: next.areas.regionCodes,
      ...(original.areas.polygons.length ? { polygons: original.areas.polygons } : {}),
    };
  // compared as typed (to the minute): a time the form only showed is not a change
  if (form.onset.trim() !== beijingInput(Date.parse(original.onset))) r.onset = next.onset;
  if (form.expires.trim() !== beijingInput(Date.parse(original.expires))) r.expires = next.expires;
  const en = (e: typeof next.en | null) =>
    [e?.headline ?? '', e?.description ?? '', e?.instruction ?? ''].join('\u0000');
  if (next.en && en(next.en) !== en(original.en))
    r.en = { ...(original.en?.event ? { event: original.en.event } : {}), ...next.en };
  return Object.keys(r).length ? r : null;
}
