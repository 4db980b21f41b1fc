import { z } from 'zod';

/**
 * One phone rule for every number a person reads off the screen and dials: a user's
 * call-back number, a site's duty phone, the phone of whoever answered a 代签收.
 */
export const PHONE_PATTERN = /^[0-9+\-() ]{3,32}$/;
export const PHONE_MESSAGE = 'must be 3-32 digits, spaces, "+", "-" or parentheses';

/** Trimmed first, so a pasted number with a trailing space is not refused. */
export const phoneNumber = () => z.string().trim().regex(PHONE_PATTERN, PHONE_MESSAGE);
