import type { RuleDenial } from '#domain';
import { DomainError } from '#platform';

/** Throws a rule's denial as the DomainError each edge (HTTP, Socket.IO) knows how to answer. */
export function refuse(denial: RuleDenial | null): void {
  if (denial) throw new DomainError(denial.code, denial.message, denial.fields);
}
