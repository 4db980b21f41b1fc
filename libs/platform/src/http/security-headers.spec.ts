import { describe, expect, it } from '@jest/globals';
import { contentSecurityPolicy, DOCS_CSP, PAGE_CSP } from './security-headers.js';

describe('contentSecurityPolicy', () => {
  it('relaxes style only for Swagger UI under /api/docs', () => {
    for (const url of ['/api/docs', '/api/docs/', '/api/docs/swagger-ui-init.js', '/api/docs?x=1'])
      expect(contentSecurityPolicy(url)).toBe(DOCS_CSP);
    for (const url of ['/', '/sfu/client', '/api/docsx', '/api/v1/sites?next=/api/docs', undefined])
      expect(contentSecurityPolicy(url)).toBe(PAGE_CSP);
  });

  it('never allows inline script or eval, in either policy', () => {
    for (const csp of [PAGE_CSP, DOCS_CSP]) {
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
    }
    expect(PAGE_CSP).not.toContain('unsafe');
  });
});
