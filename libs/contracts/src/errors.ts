/** The body of every 4xx/5xx answer from the REST API. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** present on validation errors: one entry per offending field */
  fields?: { path: string; message: string }[];
  requestId?: string;
}
