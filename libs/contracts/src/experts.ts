import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { singleLineText } from './text.js';

/**
 * 专家库 (issue 23; docs/stock-and-experts.md). Experts are not users: they are called on
 * the phone, so an invitation to a 视频会商 records who invited them and returns their phones.
 */

/** 自然灾害 / 事故灾难 / 公共卫生 / 社会安全 (the four kinds of 突发事件) */
export const EXPERT_CATEGORIES = ['natural', 'accident', 'health', 'social'] as const;
export type ExpertCategory = (typeof EXPERT_CATEGORIES)[number];
export const EXPERT_CATEGORY_LABELS: Record<ExpertCategory, string> = {
  natural: '自然灾害',
  accident: '事故灾难',
  health: '公共卫生',
  social: '社会安全',
};
export const ExpertCategorySchema = z.enum(EXPERT_CATEGORIES, {
  error: 'must be one of natural, accident, health, social',
});

export const MAX_EXPERT_PHONES = 5;
const nonEmpty = (max: number) => singleLineText(max).refine((v) => v.length > 0, 'must not be empty');
const phones = z
  .array(phoneNumber())
  .min(1, 'give at least one phone')
  .max(MAX_EXPERT_PHONES, `at most ${MAX_EXPERT_PHONES} phones`);

export const CreateExpertRequestSchema = z.strictObject({
  /** the owning site (scope); defaults to the caller's */
  siteId: z.uuid().optional(),
  name: nonEmpty(100),
  category: ExpertCategorySchema,
  specialty: nonEmpty(200),
  organisation: nonEmpty(200),
  phones,
  available: z.boolean().default(true),
});
export type CreateExpertRequest = z.infer<typeof CreateExpertRequestSchema>;

export const UpdateExpertRequestSchema = z
  .strictObject({
    name: nonEmpty(100),
    category: ExpertCategorySchema,
    specialty: nonEmpty(200),
    organisation: nonEmpty(200),
    phones,
    available: z.boolean(),
  })
  .partial()
  .refine((r) => Object.keys(r).length > 0, 'change at least one field');
export type UpdateExpertRequest = z.infer<typeof UpdateExpertRequestSchema>;

export const ListExpertsQuerySchema = z.strictObject({
  category: ExpertCategorySchema.optional(),
  available: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type ListExpertsQuery = z.infer<typeof ListExpertsQuerySchema>;

export const MAX_INVITED_EXPERTS = 50;
export const InviteExpertsRequestSchema = z.strictObject({
  consultationId: z.uuid(),
  expertIds: z
    .array(z.uuid())
    .min(1, 'name at least one expert')
    .max(MAX_INVITED_EXPERTS, `at most ${MAX_INVITED_EXPERTS} experts`)
    .refine((s) => new Set(s).size === s.length, 'an expert is named twice'),
});
export type InviteExpertsRequest = z.infer<typeof InviteExpertsRequestSchema>;

export interface ExpertView {
  id: string;
  siteId: string;
  name: string;
  category: ExpertCategory;
  specialty: string;
  organisation: string;
  phones: string[];
  available: boolean;
  updatedAt: string;
}

export interface ExpertInvitationView {
  id: string;
  consultationId: string;
  expertId: string;
  name: string;
  phones: string[];
  invitedBy: string;
  invitedAt: string;
}

export interface ExpertImportView {
  created: number;
  updated: number;
}
