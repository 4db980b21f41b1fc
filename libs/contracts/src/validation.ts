import type { z } from 'zod';

export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns a zod error into field issues a person can read ("password: must be at least 8 characters"). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
