import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { singleLineText } from './text.js';

/** command centre -> township / sub-district -> village / community */
export const SITE_KINDS = ['command', 'township', 'village'] as const;
export const SiteKindSchema = z.enum(SITE_KINDS);
export type SiteKind = z.infer<typeof SiteKindSchema>;

/** GB/T 2260 county code (6 digits), extended to township (9) or village (12) as statistical codes are. */
export const REGION_CODE_PATTERN = /^\d{6}(\d{3}(\d{3})?)?$/;

/** WGS-84 degrees; the console's offline map draws sites from these (no tile server). */
export const latitude = () => z.number().finite().min(-90, 'must be -90..90').max(90, 'must be -90..90');
export const longitude = () =>
  z.number().finite().min(-180, 'must be -180..180').max(180, 'must be -180..180');

const BOTH_OR_NEITHER = 'lat and lng go together: give both or neither';
const coordinatesPaired = (v: { lat?: number | null; lng?: number | null }) =>
  (v.lat === undefined) === (v.lng === undefined) && (v.lat === null) === (v.lng === null);

export const CreateSiteRequestSchema = z
  .strictObject({
    name: singleLineText(100),
    kind: SiteKindSchema,
    parentId: z.uuid().optional(),
    regionCode: z
      .string()
      .regex(REGION_CODE_PATTERN, 'must be 6, 9 or 12 digits (GB/T 2260 style)')
      .optional(),
    lat: latitude().optional(),
    lng: longitude().optional(),
    /** the number a dispatcher calls when the site does not answer (shown on the board's row) */
    dutyPhone: phoneNumber().optional(),
  })
  .refine(coordinatesPaired, { message: BOTH_OR_NEITHER, path: ['lng'] });
export type CreateSiteRequest = z.infer<typeof CreateSiteRequestSchema>;

/** PATCH /sites/:id: rename, place on the map or clear (null) the coordinates, set or clear the duty phone. */
export const UpdateSiteRequestSchema = z
  .strictObject({
    name: singleLineText(100).optional(),
    lat: latitude().nullable().optional(),
    lng: longitude().nullable().optional(),
    dutyPhone: phoneNumber().nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' })
  .refine(coordinatesPaired, { message: BOTH_OR_NEITHER, path: ['lng'] });
export type UpdateSiteRequest = z.infer<typeof UpdateSiteRequestSchema>;

export interface SiteView {
  id: string;
  name: string;
  kind: SiteKind;
  parentId: string | null;
  regionCode: string | null;
  /** WGS-84 degrees, both or neither (added for the console's map) */
  lat?: number | null;
  lng?: number | null;
  /** the site's duty phone (added for the board's rows) */
  dutyPhone?: string | null;
  createdAt: string;
}
