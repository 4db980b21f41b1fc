import { Foundation1795000000000 } from './1795000000000-foundation.js';
import { Directives1795000100000 } from './1795000100000-directives.js';
import { Terminals1795000200000 } from './1795000200000-terminals.js';

/** Every migration, in order. Listed by class (not by glob) so the ESM build needs no loader tricks. */
export const MIGRATIONS = [Foundation1795000000000, Directives1795000100000, Terminals1795000200000];
