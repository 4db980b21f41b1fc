import { z } from 'zod';

/**
 * Dispatcher actions on recipients that have not acknowledged (the board's 重发 / 升级).
 * 代签收 (ack on behalf) is `POST /directives/:id/ack {siteId, note}`.
 */
export const ResendDirectiveRequestSchema = z.strictObject({
  siteIds: z.array(z.uuid()).min(1, 'choose at least one site').max(10_000),
});
export type ResendDirectiveRequest = z.infer<typeof ResendDirectiveRequestSchema>;

export interface ResendDirectiveResponse {
  /** sites the directive was queued to again (those that had not acknowledged) */
  sites: number;
}

export const EscalateRecipientRequestSchema = z.strictObject({ siteId: z.uuid() });
export type EscalateRecipientRequest = z.infer<typeof EscalateRecipientRequestSchema>;

export interface EscalateRecipientResponse {
  /** the escalation level the site is at now */
  escalationLevel: number;
}
