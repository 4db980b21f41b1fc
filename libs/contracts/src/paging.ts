import { z } from 'zod';

/**
 * `?limit=&offset=` on a list route. Additive: a client that sends neither gets the first
 * `defaultLimit` items (docs/directives.md says which routes and how many).
 */
export function pageQuerySchema(defaultLimit: number, maxLimit: number) {
  return z.object({
    limit: z.coerce
      .number({ error: `limit: expected a whole number from 1 to ${maxLimit}` })
      .int(`limit: expected a whole number from 1 to ${maxLimit}`)
      .min(1, `limit: expected a whole number from 1 to ${maxLimit}`)
      .max(maxLimit, `limit: at most ${maxLimit}`)
      .default(defaultLimit),
    offset: z.coerce
      .number({ error: 'offset: expected a whole number, 0 or more' })
      .int('offset: expected a whole number, 0 or more')
      .min(0, 'offset: expected a whole number, 0 or more')
      .max(10_000_000, 'offset: at most 10000000')
      .default(0),
  });
}

export interface PageQuery {
  limit: number;
  offset: number;
}

/** /site-groups and /directive-templates: a page of 100 unless asked, 500 at most */
export const LIST_PAGE_DEFAULT = 100;
export const LIST_PAGE_MAX = 500;
/** /sites: the console's site tree needs every site, so by default all of them up to this cap */
export const SITES_PAGE_MAX = 10_000;
