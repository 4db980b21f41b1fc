import { describe, expect, it } from '@jest/globals';
import { redactedRequest, redactUrlQuery } from './logger.js';

describe('request log redaction', () => {
  it.each([
    ['/api/v1/auth/me?access_token=eyJhbGci.x.y', '/api/v1/auth/me?access_token=[redacted]'],
    ['/a?x=1&token=abc&flag', '/a?x=[redacted]&token=[redacted]&flag'],
    ['/a?', '/a?'],
    ['/plain/path', '/plain/path'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrlQuery(url)).toBe(expected);
  });

  it('redacts the parsed query too, keeping the names', () => {
    expect(
      redactedRequest({ method: 'GET', url: '/a?access_token=abc', query: { access_token: 'abc' } }),
    ).toEqual({
      method: 'GET',
      url: '/a?access_token=[redacted]',
      query: { access_token: '[redacted]' },
    });
  });
});
