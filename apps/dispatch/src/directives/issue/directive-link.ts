import type { EntityManager } from 'typeorm';
import type { DirectiveChange } from '../shared/directive-changes.js';
import type { ShownAs } from './directive-revisions.js';

/**
 * What another area (warnings, issue 19) joins to a directive change: `within` runs first in
 * the directive's transaction (it may lock and refuse: the directive is then not written),
 * and what it returns is recorded with the directive's own history, jobs and audit.
 */
export interface DirectiveLink {
  warningId?: string;
  within?: (tx: EntityManager, directiveId: string) => Promise<DirectiveChange | void>;
  /**
   * With an update (a warning's 变更), in the same transaction: a new validity, what the
   * directive now says, and sites to add as recipients (those that are not yet).
   */
  revise?: DirectiveRevision;
}

export interface DirectiveRevision {
  expiresAt?: string | null;
  addSiteIds?: string[];
  shown?: ShownAs;
}

/** One change of several parts, recorded together. */
export const merged = (a: DirectiveChange, ...rest: (DirectiveChange | void)[]): DirectiveChange =>
  rest.reduce<DirectiveChange>(
    (acc, b) =>
      b
        ? {
            events: [...(acc.events ?? []), ...(b.events ?? [])],
            jobs: [...(acc.jobs ?? []), ...(b.jobs ?? [])],
            audit: [...(acc.audit ?? []), ...(b.audit ?? [])],
          }
        : acc,
    a,
  );
