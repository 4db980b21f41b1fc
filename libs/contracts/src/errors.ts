/** The body of every 4xx/5xx answer from the REST API. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /**
   * what kind of refusal (invalid, unauthenticated, forbidden, not_found, conflict,
   * rate_limited, too_large): clients translate this and `fields`, not the English `message`
   */
  code?: string;
  message: string;
  /** present on validation errors: one entry per offending field */
  fields?: { path: string; message: string }[];
  requestId?: string;
}
