import { describe, expect, it } from '@jest/globals';
import { ConfigSchema } from '#platform';

/** SFU_ICE_SERVERS: TURN for sites behind firewalls, validated at start, secrets never echoed. */
describe('SFU_ICE_SERVERS', () => {
  const parse = (v: string) => ConfigSchema.safeParse({ SFU_ICE_SERVERS: v });

  it('defaults to none and accepts a JSON array of STUN/TURN servers', () => {
    expect(ConfigSchema.parse({}).SFU_ICE_SERVERS).toEqual([]);
    const ok = parse(
      '[{"urls":["turn:turn.example:3478?transport=udp","turns:turn.example:5349"],"username":"yihu","credential":"s3cret-pass"}]',
    );
    expect(ok.success && ok.data.SFU_ICE_SERVERS[0]!.username).toBe('yihu');
  });

  it.each([
    ['not JSON', '{urls'],
    ['not an array', '{"urls":"turn:x"}'],
    ['a bad scheme', '[{"urls":"http://x"}]'],
    ['an unknown field', '[{"urls":"turn:x","password":"s3cret-pass"}]'],
  ])('rejects %s without echoing the value', (_what, value) => {
    const res = parse(value);
    expect(res.success).toBe(false);
    expect(JSON.stringify(res.error?.issues)).not.toContain('s3cret-pass');
    expect(res.error?.issues[0]?.path[0]).toBe('SFU_ICE_SERVERS');
  });
});
