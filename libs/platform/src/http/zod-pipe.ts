import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssues, fieldIssues, findUnstorableText } from '#contracts';
import { DomainError } from './domain-error.js';

/**
 * Validates a body, query or route parameter against its contract schema; the 400 names
 * every bad field. Text that no column can hold (NUL, an unpaired surrogate) is refused
 * first, in any field, whatever the schema says about it.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const unstorable = findUnstorableText(value);
    if (unstorable) throw new DomainError('invalid', describeIssues([unstorable]), [unstorable]);
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const fields = fieldIssues(result.error);
    throw new DomainError('invalid', describeIssues(fields), fields);
  }
}
