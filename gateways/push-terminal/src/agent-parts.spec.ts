import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Backoff } from './backoff.js';
import { ConfigError, loadAgentConfig } from './config.js';
import { readTelemetry } from './telemetry.js';
import { renderEntry } from './view.js';

describe('Backoff', () => {
  it('doubles up to the ceiling with jitter, and starts over after a success', () => {
    const b = new Backoff(1000, 8000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000, 8000, 8000]);
    b.reset();
    expect(b.next()).toBe(1000);
    expect(new Backoff(1000, 8000, () => 0).next()).toBe(500);
  });
});

describe('agent config', () => {
  const good = {
    YIHU_MQTT_URL: 'mqtt://hub:1883',
    YIHU_TERMINAL_ID: 't0123456789abcdef0123',
    YIHU_TERMINAL_SECRET: 's3cret',
  };
  it('reads its variables and names the wrong one', () => {
    expect(loadAgentConfig(good)).toEqual(
      expect.objectContaining({ url: 'mqtt://hub:1883', link: 'lan', speech: true, mqtt5: false }),
    );
    expect(() => loadAgentConfig({ ...good, YIHU_MQTT_URL: 'http://x' })).toThrow(/YIHU_MQTT_URL/);
    expect(() => loadAgentConfig({ ...good, YIHU_TERMINAL_ID: '../etc' })).toThrow(/YIHU_TERMINAL_ID/);
    expect(() => loadAgentConfig({ ...good, YIHU_TERMINAL_SECRET: '' })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ ...good, YIHU_SPEECH: 'loud' })).toThrow(/YIHU_SPEECH/);
    expect(() =>
      loadAgentConfig({
        ...good,
        YIHU_TERMINAL_SECRET: undefined,
        YIHU_TERMINAL_SECRET_FILE: '/nonexistent',
      }),
    ).toThrow(/SECRET_FILE/);
  });
});

describe('telemetry', () => {
  it('reads power and battery from the power-supply class', () => {
    const root = mkdtempSync(join(tmpdir(), 'psu-'));
    const supply = (name: string, files: Record<string, string>) => {
      mkdirSync(join(root, name));
      for (const [f, v] of Object.entries(files)) writeFileSync(join(root, name, f), `${v}\n`);
    };
    supply('BAT0', { type: 'Battery', capacity: '64' });
    supply('AC', { type: 'Mains', online: '0' });
    expect(readTelemetry('satellite', root)).toEqual({ power: 'battery', battery: 64, link: 'satellite' });
    writeFileSync(join(root, 'AC', 'online'), '1\n');
    expect(readTelemetry('lan', root)).toEqual({ power: 'mains', battery: 64, link: 'lan' });
    expect(readTelemetry('lan', join(root, 'missing'))).toEqual({ power: 'mains', link: 'lan' });
  });
});

describe('TTY view', () => {
  it('strips terminal control sequences from directive text', () => {
    const text = renderEntry(
      {
        topic: 'directives',
        state: 'received',
        shown: false,
        arrivedAt: '',
        message: {
          messageId: '00000000-0000-4000-8000-000000000001',
          directiveId: 'd',
          serial: 'S-1',
          title: 'flood\x1b[2J',
          body: 'evacuate\x07',
          level: 'red',
          issuedAt: '2026-01-01T00:00:00Z',
          expiresAt: null,
          drill: true,
        },
      },
      false,
    );
    expect(text).toContain('【flood】'); // the whole sequence goes, not only its ESC
    expect(text).not.toContain('\x1b');
    expect(text).not.toContain('\x07');
    expect(text).toContain('演练 DRILL');
  });
});
