import { describe, expect, it } from '@jest/globals';
import { EMPTY_FLOOR } from '#radio';
import { radioMediaCodecs } from './talkgroup-media.js';
import { floorView, transmissionView } from './views.js';

describe('radio views', () => {
  it('shows the floor holder and since when, or null', () => {
    expect(floorView(EMPTY_FLOOR)).toBeNull();
    const talker = { kind: 'gateway' as const, id: 't1', name: '甲' };
    expect(
      floorView({
        holder: { talker, rank: 'radio', since: Date.UTC(2026, 0, 1), transmissionId: 'x' },
        hang: null,
      }),
    ).toEqual({ talker, since: '2026-01-01T00:00:00.000Z' });
  });

  it('gives a transmission its audio URL and null for what is not known yet', () => {
    const v = transmissionView({
      id: 'tx',
      talkgroup_id: 'tg',
      talker_kind: 'system',
      talker_id: 'tts',
      talker_name: '播报',
      rank: 'directive',
      directive_id: null,
      started_at: new Date(Date.UTC(2026, 0, 1)),
      ended_at: null,
      interrupted: false,
      audio_path: 'radio/tg/tx.wav',
      bytes: 0,
      duration_ms: null,
    });
    expect(v).toMatchObject({ audioUrl: '/api/v1/transmissions/tx/audio', endedAt: null, durationMs: null });
    expect(v.talker).toEqual({ kind: 'system', id: 'tts', name: '播报' });
  });

  it('routes PCMA at its static payload type 8 / 8 kHz and Opus at 48 kHz stereo', () => {
    expect(radioMediaCodecs('PCMA')).toEqual([
      { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1 },
    ]);
    expect(radioMediaCodecs('opus')[0]).toMatchObject({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
    });
  });
});
