import { describe, expect, it } from '@jest/globals';
import { keyTargets, unkeyTargets } from './cmd-targets.js';

const gw = (id: string) => ({ kind: 'gateway' as const, id, name: id });

describe('which gateways are keyed and unkeyed', () => {
  it('keys every gateway but the talking one', () => {
    expect(keyTargets(['a', 'b', 'c'], gw('b'))).toEqual(['a', 'c']);
    expect(keyTargets(['a', 'b'], { kind: 'system', id: 'b', name: 'tts' })).toEqual(['a', 'b']);
  });

  it('tells the talker itself only when it was cut', () => {
    expect(unkeyTargets(['a', 'b'], gw('a'), 'ended')).toEqual(['b']);
    expect(unkeyTargets(['a', 'b'], gw('a'), 'preempted')).toEqual(['a', 'b']);
    expect(unkeyTargets(['a', 'b'], gw('a'), 'timeout')).toEqual(['a', 'b']);
  });
});
