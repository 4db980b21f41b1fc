import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Post } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import pino from 'pino';
import { z } from 'zod';
import { HttpExceptionFilter } from './exception.filter.js';
import { ValidBody, ValidQuery } from './valid-body.js';

const NoteSchema = z.strictObject({
  title: z.string().min(1).max(20),
  level: z.enum(['red', 'blue']).default('blue'),
});
const PageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  q: z.string().max(20).optional().describe('text to look for'),
});

@Controller('notes')
class NotesController {
  @Post()
  create(@ValidBody(NoteSchema) body: z.infer<typeof NoteSchema>) {
    return body;
  }

  @Post('loose')
  loose(@ValidBody(NoteSchema, { io: 'input' }) body: z.infer<typeof NoteSchema>) {
    return body;
  }

  @Get()
  list(@ValidQuery(PageSchema) query: z.infer<typeof PageSchema>) {
    return query;
  }
}

describe('ValidBody and ValidQuery', () => {
  let app: INestApplication;
  let base: string;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    const mod = await Test.createTestingModule({ controllers: [NotesController] }).compile();
    app = mod.createNestApplication({ logger: false });
    app.useGlobalFilters(new HttpExceptionFilter(pino({ level: 'silent' })));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('publishes the body schema as the OpenAPI request body', () => {
    const body = (path: string) =>
      (doc.paths[path]!.post!.requestBody as { content: Record<string, { schema: unknown }> }).content[
        'application/json'
      ]!.schema;
    expect(body('/notes')).toEqual(z.toJSONSchema(NoteSchema));
    expect(body('/notes/loose')).toEqual(z.toJSONSchema(NoteSchema, { io: 'input' }));
    expect(body('/notes/loose')).not.toEqual(body('/notes'));
  });

  it('publishes each query field as a query parameter', () => {
    const params = doc.paths['/notes']!.get!.parameters as { name: string; in: string; required: boolean }[];
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['q', 'query', false],
    ]);
  });

  it('hands the handler the parsed body, defaults applied', async () => {
    const res = await post('/notes', { title: 'x' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ title: 'x', level: 'blue' });
  });

  it('answers a bad body 400 naming every bad field, as ZodPipe always has', async () => {
    const res = await post('/notes', { title: '', level: 'green', extra: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { statusCode: number; message: string; fields: { path: string }[] };
    expect(body.statusCode).toBe(400);
    expect(body.fields.map((f) => f.path).sort()).toEqual(['(body)', 'level', 'title']);
    expect(body.message).toContain('title');
  });

  it('parses and refuses a query the same way', async () => {
    expect(await (await fetch(`${base}/notes?limit=5`)).json()).toEqual({ limit: 5 });
    const res = await fetch(`${base}/notes?limit=500`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('limit');
  });
});
