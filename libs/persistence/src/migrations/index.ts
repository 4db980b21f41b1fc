import { Foundation1795000000000 } from './1795000000000-foundation.js';
import { Directives1795000100000 } from './1795000100000-directives.js';

/** Every migration, in order. Listed by class (not by glob) so the ESM build needs no loader tricks. */
export const MIGRATIONS = [Foundation1795000000000, Directives1795000100000];
