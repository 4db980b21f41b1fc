/**
 * CAP (Common Alerting Protocol) over HTTP (issue 19): the content types an XML body may
 * carry and the answer of `POST /api/v1/cap/validate`, as a JSON Schema for the OpenAPI
 * document. The CAP model itself lives in libs/cap (#cap).
 */
export const CAP_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/cap+xml'] as const;

export interface CapValidationView {
  valid: boolean;
  /** null when the document is not CAP at all (or was refused before its version was read) */
  version: '1.2' | '1.1' | '1.0' | null;
  errors: { message: string; line?: number }[];
}

export const CAP_VALIDATION_VIEW: Record<string, unknown> = {
  type: 'object',
  required: ['valid', 'version', 'errors'],
  properties: {
    valid: { type: 'boolean' },
    version: { type: 'string', enum: ['1.2', '1.1', '1.0'], nullable: true },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          message: { type: 'string', description: 'names the element and what is wrong' },
          line: { type: 'integer', description: '1-based line in the document' },
        },
      },
    },
  },
};
