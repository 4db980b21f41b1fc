export * from './access-policy.js';
export * from './site-tree.js';
export * from './audit-chain.js';
export * from './device-acl.js';
export * from './directives.js';
export * from './consultations.js';
