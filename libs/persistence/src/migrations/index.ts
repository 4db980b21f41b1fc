import { Foundation1795000000000 } from './1795000000000-foundation.js';

/** Every migration, in order. Listed by class (not by glob) so the ESM build needs no loader tricks. */
export const MIGRATIONS = [Foundation1795000000000];
