import type { RadioTalker } from '#contracts';
import { describe, expect, it } from '@jest/globals';
import {
  EMPTY_FLOOR,
  expireHang,
  rankValue,
  releaseFloor,
  requestFloor,
  timedOut,
  type FloorState,
} from './floor.js';

const gw1: RadioTalker = { kind: 'gateway', id: 't00000000000000000001', name: '一号中继' };
const gw2: RadioTalker = { kind: 'gateway', id: 't00000000000000000002', name: '二号中继' };
const dispatcher: RadioTalker = { kind: 'user', id: 'u-dispatcher', name: '值班员' };
const commander: RadioTalker = { kind: 'user', id: 'u-commander', name: '指挥长' };
const system: RadioTalker = { kind: 'system', id: 'system', name: '系统' };

function holding(talker: RadioTalker, rank: Parameters<typeof requestFloor>[1]['rank'], now = 0): FloorState {
  const d = requestFloor(EMPTY_FLOOR, { talker, rank, transmissionId: `tx-${talker.id}`, now });
  expect(d.verdict).toBe('granted');
  return d.state;
}

describe('floor', () => {
  it('ranks in contract order', () => {
    expect(
      ['radio', 'directive', 'dispatcher', 'commander', 'emergency'].map((r) => rankValue(r as never)),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(() => rankValue('boss' as never)).toThrow(RangeError);
  });

  it('grants a free floor', () => {
    const d = requestFloor(EMPTY_FLOOR, { talker: gw1, rank: 'radio', transmissionId: 'a', now: 5 });
    expect(d).toMatchObject({
      verdict: 'granted',
      holder: { talker: gw1, rank: 'radio', since: 5, transmissionId: 'a' },
    });
    expect(d.state.holder).toEqual(d.verdict === 'granted' ? d.holder : null);
  });

  it('the same talker asking again keeps its transmission; a higher rank raises it', () => {
    const s = holding(dispatcher, 'dispatcher', 10);
    const again = requestFloor(s, {
      talker: dispatcher,
      rank: 'dispatcher',
      transmissionId: 'other',
      now: 20,
    });
    expect(again).toMatchObject({
      verdict: 'granted',
      holder: { transmissionId: 'tx-u-dispatcher', since: 10 },
    });
    expect(again.state).toBe(s);
    const raised = requestFloor(s, {
      talker: dispatcher,
      rank: 'emergency',
      transmissionId: 'other',
      now: 30,
    });
    expect(raised).toMatchObject({
      verdict: 'granted',
      holder: { rank: 'emergency', transmissionId: 'tx-u-dispatcher', since: 10 },
    });
    // now a commander cannot cut in
    expect(
      requestFloor(raised.state, { talker: commander, rank: 'commander', transmissionId: 'c', now: 40 })
        .verdict,
    ).toBe('busy');
  });

  it('a higher rank pre-empts; equal or lower is busy with who holds it', () => {
    const s = holding(gw1, 'radio');
    const pre = requestFloor(s, { talker: dispatcher, rank: 'dispatcher', transmissionId: 'd', now: 7 });
    expect(pre).toMatchObject({
      verdict: 'preempted',
      holder: { talker: dispatcher, since: 7 },
      preempted: { talker: gw1 },
    });
    const busy = requestFloor(pre.state, { talker: system, rank: 'directive', transmissionId: 's', now: 8 });
    expect(busy).toMatchObject({ verdict: 'busy', heldBy: { talker: dispatcher } });
    expect(busy.state).toBe(pre.state);
    expect(requestFloor(pre.state, { talker: gw2, rank: 'radio', transmissionId: 'g', now: 8 }).verdict).toBe(
      'busy',
    );
  });

  it('an emergency does not pre-empt an emergency', () => {
    const s = holding(commander, 'emergency');
    const d = requestFloor(s, { talker: dispatcher, rank: 'emergency', transmissionId: 'e2', now: 1 });
    expect(d).toMatchObject({ verdict: 'busy', heldBy: { talker: commander, rank: 'emergency' } });
  });

  it('only the holder releases; a release by anyone else changes nothing', () => {
    const s = holding(gw1, 'radio');
    const other = releaseFloor(s, gw2.id, 100, 3000);
    expect(other.released).toBeNull();
    expect(other.state).toBe(s);
    expect(releaseFloor(EMPTY_FLOOR, gw1.id, 100, 3000)).toEqual({ state: EMPTY_FLOOR, released: null });
    const mine = releaseFloor(s, gw1.id, 100, 3000);
    expect(mine.released).toMatchObject({ talker: gw1 });
    expect(mine.state).toMatchObject({ holder: null, hang: { until: 3100, lastTalker: gw1 } });
    expect(releaseFloor(s, gw1.id, 100, 0).state).toEqual({ holder: null, hang: null });
  });

  it('during hang time after a gateway: the same gateway and higher ranks may talk, another gateway is busy', () => {
    const { state } = releaseFloor(holding(gw1, 'radio'), gw1.id, 1000, 3000);
    const other = requestFloor(state, { talker: gw2, rank: 'radio', transmissionId: 'g2', now: 2000 });
    expect(other).toMatchObject({ verdict: 'busy', heldBy: { talker: gw1, transmissionId: `tx-${gw1.id}` } });
    expect(
      requestFloor(state, { talker: gw1, rank: 'radio', transmissionId: 'g1b', now: 2000 }),
    ).toMatchObject({
      verdict: 'granted',
      state: { hang: null, holder: { transmissionId: 'g1b' } },
    });
    expect(
      requestFloor(state, { talker: dispatcher, rank: 'dispatcher', transmissionId: 'd', now: 2000 }).verdict,
    ).toBe('granted');
    expect(
      requestFloor(state, { talker: system, rank: 'directive', transmissionId: 's', now: 2000 }).verdict,
    ).toBe('granted');
    // the hang ends at `until` exactly
    expect(requestFloor(state, { talker: gw2, rank: 'radio', transmissionId: 'g2', now: 3999 }).verdict).toBe(
      'busy',
    );
    expect(requestFloor(state, { talker: gw2, rank: 'radio', transmissionId: 'g2', now: 4000 }).verdict).toBe(
      'granted',
    );
  });

  it('during hang time after a dispatcher: any gateway may reply', () => {
    const { state } = releaseFloor(holding(dispatcher, 'dispatcher'), dispatcher.id, 1000, 3000);
    expect(requestFloor(state, { talker: gw2, rank: 'radio', transmissionId: 'g2', now: 1500 }).verdict).toBe(
      'granted',
    );
  });

  it('times out at exactly the transmit timeout, not before', () => {
    const s = holding(gw1, 'radio', 1000);
    expect(timedOut(s, 60_999, 60_000)).toBeNull();
    expect(timedOut(s, 61_000, 60_000)).toMatchObject({ talker: gw1 });
    expect(timedOut(s, 10_000_000, 0)).toBeNull();
    expect(timedOut(EMPTY_FLOOR, 10_000_000, 60_000)).toBeNull();
  });

  it('expires the hang at its end, and leaves state untouched before', () => {
    const { state } = releaseFloor(holding(gw1, 'radio'), gw1.id, 0, 3000);
    expect(expireHang(state, 2999)).toBe(state);
    expect(expireHang(state, 3000)).toEqual({ holder: null, hang: null });
    expect(expireHang(EMPTY_FLOOR, 5)).toBe(EMPTY_FLOOR);
  });
});
