import { Body, Query } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiQueryFrom } from './api-query.js';
import { ZodPipe } from './zod-pipe.js';

export interface ValidBodyOptions {
  /**
   * Which side of the schema the OpenAPI document shows: 'output' (the default) lists the
   * parsed shape; 'input' marks fields with a default as optional, as a client may send them.
   */
  io?: 'input' | 'output';
}

/** The OpenAPI schema of a request body, from the zod schema that parses it. */
export function openApiBodySchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): object {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as object;
}

/**
 * Nest's swagger decorators describe a route through its method; a parameter decorator gets
 * the method's name only, so it looks the method up to put the description where swagger reads it.
 */
function onHandler(decorator: MethodDecorator, target: object, key: string | symbol | undefined): void {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (key === undefined || !descriptor)
    throw new Error('ValidBody and ValidQuery decorate a route handler parameter');
  decorator(target, key, descriptor);
}

/**
 * The request body, parsed with its contract schema (a 400 naming every bad field otherwise)
 * and published as the route's OpenAPI request body, so validation and documentation are
 * one statement and cannot drift apart.
 */
export function ValidBody(schema: z.ZodType, options: ValidBodyOptions = {}): ParameterDecorator {
  const body = Body(new ZodPipe(schema));
  const doc = ApiBody({ schema: openApiBodySchema(schema, options.io) });
  return (target, key, index) => {
    body(target, key, index);
    onHandler(doc, target, key);
  };
}

/** The query string, parsed with its contract schema and published as the route's query parameters. */
export function ValidQuery(schema: z.ZodType): ParameterDecorator {
  const query = Query(new ZodPipe(schema));
  const doc = ApiQueryFrom(schema);
  return (target, key, index) => {
    query(target, key, index);
    onHandler(doc, target, key);
  };
}
