import { describe, expect, it } from '@jest/globals';
import { devicePublishDenial, deviceMaySubscribe, parseDeviceTopic } from './device-acl.js';

const A = 't0123456789abcdef0123';
const B = 't99999999999999999999';

describe('device ACL', () => {
  it('lets a terminal subscribe only to its own directives and notices', () => {
    expect(deviceMaySubscribe(A, `yihu/v1/terminals/${A}/directives`)).toBe(true);
    expect(deviceMaySubscribe(A, `yihu/v1/terminals/${A}/notices`)).toBe(true);
    for (const filter of [
      `yihu/v1/terminals/${B}/directives`,
      `yihu/v1/terminals/${B}/notices`,
      'yihu/v1/terminals/+/notices',
      `yihu/v1/terminals/${A}/status`,
      'yihu/v1/terminals/+/directives',
      'yihu/v1/terminals/#',
      '#',
      `yihu/v1/terminals/${A}/#`,
      `yihu/v1/terminals/${A}/acks`,
      `yihu/v1/terminals/${A}/../${B}/directives`,
      `yihu/v1/terminals//directives`,
      `$SYS/#`,
    ]) {
      expect(deviceMaySubscribe(A, filter)).toBe(false);
    }
  });

  it('lets a terminal publish only its own acks and status', () => {
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/acks`, 100, false)).toBeNull();
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/status`, 7, true)).toBeNull();
    expect(devicePublishDenial(A, `yihu/v1/terminals/${B}/acks`, 100, false)).toBe('topic_denied');
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/directives`, 100, false)).toBe('topic_denied');
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/../${B}/acks`, 100, false)).toBe('topic_denied');
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/acks`, 100, true)).toBe('retain_denied');
    expect(devicePublishDenial(A, `yihu/v1/terminals/${A}/acks`, 1024 * 1024, false)).toBe('too_large');
  });

  it('parses only well-formed device topics', () => {
    expect(parseDeviceTopic(`yihu/v1/terminals/${A}/acks`)).toEqual({ terminalId: A, leaf: 'acks' });
    expect(parseDeviceTopic(`yihu/v1/terminals/${A}/acks/x`)).toBeNull();
    expect(parseDeviceTopic(`yihu/v1/terminals//acks`)).toBeNull();
    expect(parseDeviceTopic(`other/${A}/acks`)).toBeNull();
  });
});
