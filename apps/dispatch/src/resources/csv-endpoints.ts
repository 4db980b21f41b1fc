import { applyDecorators, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse } from '@nestjs/swagger';
import { IMPORT_VIEW } from '#contracts';
import { RequirePermission } from '#platform';

/**
 * The CSV pair every resource list offers (teams, stock, experts): one place for the route,
 * permission, headers and OpenAPI lines, so the three stay alike byte for byte.
 */

/** GET <path>: the rows in the reader's scope, UTF-8 with a BOM, as an attachment named <file>. */
export const CsvExport = (path: string, file: string, description: string) =>
  applyDecorators(
    Get(path),
    RequirePermission('site.read'),
    Header('content-type', 'text/csv; charset=utf-8'),
    Header('content-disposition', `attachment; filename="${file}"`),
    ApiOkResponse({ description, content: { 'text/csv': { schema: { type: 'string' } } } }),
  );

/**
 * POST <path>: the CSV as exported, read with readCsvBody; 200 with the counts. `body`
 * describes the upload in the document, so clients (and the fuzzer) send CSV, not JSON.
 */
export const CsvImport = (
  path: string,
  result: { description: string; schema: Record<string, unknown> },
  body?: string,
) =>
  applyDecorators(
    Post(path),
    HttpCode(200),
    RequirePermission('site.update'),
    ApiConsumes('text/csv'),
    ...(body ? [ApiBody({ description: body, schema: { type: 'string' } })] : []),
    ApiOkResponse(result),
  );

/** The import answer of stock and experts. */
export const IMPORTED = {
  description: 'rows created and updated; a bad row is 400 naming its line and nothing is imported',
  schema: IMPORT_VIEW,
};
