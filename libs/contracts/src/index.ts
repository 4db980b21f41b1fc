export * from './auth.js';
export * from './sites.js';
export * from './health.js';
export * from './errors.js';
export * from './audit.js';
export * from './validation.js';
export * from './terminals.js';
export * from './directives.js';
