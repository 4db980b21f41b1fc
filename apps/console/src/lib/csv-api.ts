import { ApiError, session } from './api.js';

/**
 * A CSV the server serves or takes (UTF-8 with a BOM, the BOM kept so a download opens in
 * Excel as UTF-8), with the same error shape as `call`: teams, stock and experts.
 */
export async function csvCall(method: 'GET' | 'POST', path: string, body?: string): Promise<string> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'text/csv; charset=utf-8';
  const res = await fetch(`/api/v1${path}`, { method, headers, body });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  if (!res.ok) {
    const data = (() => {
      try {
        return JSON.parse(text) as {
          message?: string;
          code?: string;
          fields?: { path: string; message: string }[];
        };
      } catch {
        return {};
      }
    })();
    throw new ApiError(res.status, data.message ?? `HTTP ${res.status}`, {
      path,
      code: data.code,
      fields: data.fields,
    });
  }
  return text;
}

/** The answer of an import: rows created and updated. */
export interface CsvImported {
  created: number;
  updated: number;
}
