import type { FieldIssue } from '#contracts';

/**
 * Why a rule refuses a request, in the words the caller sees. Rules return one instead of
 * throwing, so they stay free of the platform; each edge turns `code` into its own answer.
 */
export interface RuleDenial {
  code: 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'unprocessable';
  message: string;
  fields?: FieldIssue[];
}

/** A 400 that names one field, with the field's own message repeated in the summary. */
export function invalidField(path: string, message: string, summary = `${path}: ${message}`): RuleDenial {
  return { code: 'invalid', message: summary, fields: [{ path, message }] };
}
