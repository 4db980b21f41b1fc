import { describe, expect, it } from '@jest/globals';
import { TERMINAL_KINDS, type TerminalKind } from '#contracts';
import { devicePublishDenial, deviceMaySubscribe, parseDeviceTopic } from './device-acl.js';

const A = 't0123456789abcdef0123';
const B = 't99999999999999999999';
const own = (leaf: string, id = A) => `yihu/v1/terminals/${id}/${leaf}`;

/** every leaf a device could name, with what each kind may do with its own copy */
const LEAVES: { leaf: string; subscribe: TerminalKind[]; publish: TerminalKind[] }[] = [
  { leaf: 'directives', subscribe: ['push', 'radio'], publish: [] },
  { leaf: 'notices', subscribe: ['push', 'radio'], publish: [] },
  { leaf: 'acks', subscribe: [], publish: ['push', 'radio'] },
  { leaf: 'status', subscribe: [], publish: ['push', 'radio'] },
  { leaf: 'reports', subscribe: [], publish: ['push'] },
  { leaf: 'radio/cmd', subscribe: ['radio'], publish: [] },
  { leaf: 'radio/join', subscribe: [], publish: ['radio'] },
  { leaf: 'radio/state', subscribe: [], publish: ['radio'] },
  { leaf: 'radio/events', subscribe: [], publish: ['radio'] },
  { leaf: 'radio/other', subscribe: [], publish: [] },
  { leaf: 'radio', subscribe: [], publish: [] },
];

describe('device ACL', () => {
  describe.each(TERMINAL_KINDS)('a %s terminal', (kind) => {
    it.each(LEAVES)('subscribes to its own $leaf only if allowed, and never to another’s', (l) => {
      expect(deviceMaySubscribe(A, own(l.leaf), kind)).toBe(l.subscribe.includes(kind));
      expect(deviceMaySubscribe(A, own(l.leaf, B), kind)).toBe(false);
    });

    it.each(LEAVES)('publishes its own $leaf only if allowed, and never another’s', (l) => {
      expect(devicePublishDenial(A, own(l.leaf), 50, false, kind)).toBe(
        l.publish.includes(kind) ? null : 'topic_denied',
      );
      expect(devicePublishDenial(A, own(l.leaf, B), 50, false, kind)).toBe('topic_denied');
    });

    it('is refused wildcards, "..", empty levels and foreign roots', () => {
      for (const filter of [
        'yihu/v1/terminals/+/notices',
        'yihu/v1/terminals/+/directives',
        'yihu/v1/terminals/+/radio/cmd',
        `yihu/v1/terminals/${A}/radio/+`,
        `yihu/v1/terminals/${A}/radio/#`,
        `yihu/v1/terminals/${A}/+/cmd`,
        'yihu/v1/terminals/#',
        '#',
        `yihu/v1/terminals/${A}/#`,
        `yihu/v1/terminals/${A}/../${B}/directives`,
        `yihu/v1/terminals/${A}/../${B}/radio/cmd`,
        'yihu/v1/terminals//directives',
        'yihu/v1/terminals//radio/cmd',
        `yihu/v1/terminals/${A}/radio//cmd`,
        '$SYS/#',
      ])
        expect([filter, deviceMaySubscribe(A, filter, kind)]).toEqual([filter, false]);
      for (const topic of [
        `yihu/v1/terminals/${A}/../${B}/acks`,
        `yihu/v1/terminals/${A}/../${B}/radio/join`,
        `yihu/v1/terminals/${A}/radio/join/x`,
        `yihu/v1/terminals/${A}/radio/+`,
        'yihu/v1/terminals/+/radio/state',
      ])
        expect([topic, devicePublishDenial(A, topic, 50, false, kind)]).toEqual([topic, 'topic_denied']);
    });
  });

  it('refuses retained acks and radio messages, keeps retained status', () => {
    expect(devicePublishDenial(A, own('status'), 7, true, 'push')).toBeNull();
    expect(devicePublishDenial(A, own('acks'), 100, true, 'push')).toBe('retain_denied');
    expect(devicePublishDenial(A, own('reports'), 100, true, 'push')).toBe('retain_denied');
    for (const leaf of ['radio/join', 'radio/state', 'radio/events'])
      expect(devicePublishDenial(A, own(leaf), 50, true, 'radio')).toBe('retain_denied');
  });

  it('bounds sizes: 16 KB for acks and status, 1 KB for radio messages', () => {
    expect(devicePublishDenial(A, own('acks'), 1024 * 1024, false, 'push')).toBe('too_large');
    expect(devicePublishDenial(A, own('acks'), 2000, false, 'radio')).toBeNull();
    expect(devicePublishDenial(A, own('radio/state'), 1024, false, 'radio')).toBeNull();
    expect(devicePublishDenial(A, own('radio/state'), 1025, false, 'radio')).toBe('too_large');
  });

  it('parses only well-formed device topics, radio leaves as `radio/<leaf>`', () => {
    expect(parseDeviceTopic(own('acks'))).toEqual({ terminalId: A, leaf: 'acks' });
    expect(parseDeviceTopic(own('radio/join'))).toEqual({ terminalId: A, leaf: 'radio/join' });
    expect(parseDeviceTopic(own('radio/anything'))).toEqual({ terminalId: A, leaf: 'radio/anything' });
    expect(parseDeviceTopic(own('acks/x'))).toBeNull();
    expect(parseDeviceTopic(own('radio/join/x'))).toBeNull();
    expect(parseDeviceTopic(own('radio/'))).toBeNull();
    expect(parseDeviceTopic('yihu/v1/terminals//acks')).toBeNull();
    expect(parseDeviceTopic('yihu/v1/terminals//radio/join')).toBeNull();
    expect(parseDeviceTopic(`other/${A}/acks`)).toBeNull();
  });
});
