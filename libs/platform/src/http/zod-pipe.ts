import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssues, fieldIssues } from '#contracts';
import { DomainError } from './domain-error.js';

/** Validates a body or query against its contract schema; the 400 names every bad field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const fields = fieldIssues(result.error);
    throw new DomainError('invalid', describeIssues(fields), fields);
  }
}
