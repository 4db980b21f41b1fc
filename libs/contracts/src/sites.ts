import { z } from 'zod';

/** command centre -> township / sub-district -> village / community */
export const SITE_KINDS = ['command', 'township', 'village'] as const;
export const SiteKindSchema = z.enum(SITE_KINDS);
export type SiteKind = z.infer<typeof SiteKindSchema>;

/** GB/T 2260 county code (6 digits), extended to township (9) or village (12) as statistical codes are. */
export const REGION_CODE_PATTERN = /^\d{6}(\d{3}(\d{3})?)?$/;

export const CreateSiteRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: SiteKindSchema,
  parentId: z.uuid().optional(),
  regionCode: z.string().regex(REGION_CODE_PATTERN, 'must be 6, 9 or 12 digits (GB/T 2260 style)').optional(),
});
export type CreateSiteRequest = z.infer<typeof CreateSiteRequestSchema>;

export interface SiteView {
  id: string;
  name: string;
  kind: SiteKind;
  parentId: string | null;
  regionCode: string | null;
  createdAt: string;
}
