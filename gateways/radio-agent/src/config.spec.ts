import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadRadioConfig } from './config.js';

const base = {
  YIHU_MQTT_URL: 'mqtt://127.0.0.1:1883',
  YIHU_TERMINAL_ID: 't0123456789abcdef0123',
  YIHU_TERMINAL_SECRET: 's3cret',
};

describe('loadRadioConfig', () => {
  it('defaults: ALSA default devices, GPIO PTT needs its line, VOX COR at -35 dBFS 50/500 ms, TX_DELAY 150 ms, TOT 60 s', () => {
    const c = loadRadioConfig({ ...base, YIHU_RADIO_PTT_GPIO: 'gpiochip0:17' });
    expect(c.audio).toEqual({ driver: 'alsa', capture: 'default', playback: 'default' });
    expect(c.ptt).toEqual({ driver: 'gpio', gpio: { chip: 'gpiochip0', line: 17, activeLow: false } });
    expect(c.cor).toEqual({ driver: 'vox', vox: { thresholdDbfs: -35, attackMs: 50, releaseMs: 500 } });
    expect(c.timing).toEqual({
      txDelayMs: 150,
      totMs: 60_000,
      jitterMs: 60,
      audioLossMs: 1000,
      drainMaxMs: 1000,
    });
    expect(c.rtpPort).toBe(0);
  });

  it('reads every driver family', () => {
    const c = loadRadioConfig({
      ...base,
      YIHU_RADIO_AUDIO: 'file',
      YIHU_RADIO_AUDIO_IN: '/tmp/rx.fifo',
      YIHU_RADIO_AUDIO_OUT: '/tmp/tx.fifo',
      YIHU_RADIO_PTT: 'cm108',
      YIHU_RADIO_HIDRAW: '/dev/hidraw1',
      YIHU_RADIO_COR: 'serial',
      YIHU_RADIO_SERIAL: '/dev/ttyUSB0',
      YIHU_RADIO_SERIAL_COR_PIN: 'cts',
      YIHU_RADIO_COR_ACTIVE_LOW: '1',
      YIHU_RADIO_TX_DELAY_MS: '300',
      YIHU_RADIO_TOT_SECONDS: '180',
      YIHU_RADIO_JITTER_MS: '600',
      YIHU_RADIO_EMERGENCY_GPIO: 'gpiochip1:4',
    });
    expect(c.audio).toEqual({ driver: 'file', input: '/tmp/rx.fifo', output: '/tmp/tx.fifo' });
    expect(c.ptt).toEqual({ driver: 'cm108', hidraw: '/dev/hidraw1', pin: 3, activeLow: false });
    expect(c.cor).toEqual({ driver: 'serial', device: '/dev/ttyUSB0', pin: 'cts', activeLow: true });
    expect(c.timing.txDelayMs).toBe(300);
    expect(c.timing.totMs).toBe(180_000);
    expect(c.timing.jitterMs).toBe(600);
    expect(c.emergencyGpio).toEqual({ chip: 'gpiochip1', line: 4, activeLow: false });
  });

  it.each([
    [{ YIHU_MQTT_URL: 'http://x' }, /YIHU_MQTT_URL/],
    [{ YIHU_TERMINAL_ID: 'gateway-1' }, /YIHU_TERMINAL_ID/],
    [{ YIHU_TERMINAL_SECRET: '' }, /YIHU_TERMINAL_SECRET/],
    [{ YIHU_RADIO_AUDIO: 'pulse' }, /YIHU_RADIO_AUDIO must be one of alsa, file, memory/],
    [{ YIHU_RADIO_AUDIO: 'memory' }, /YIHU_RADIO_AUDIO=memory is for the simulator/],
    [{ YIHU_RADIO_AUDIO: 'file' }, /YIHU_RADIO_AUDIO_IN is required/],
    [{ YIHU_RADIO_ALSA_CAPTURE: 'hw:1;rm -rf /' }, /YIHU_RADIO_ALSA_CAPTURE must be an ALSA device name/],
    [{ YIHU_RADIO_PTT_GPIO: undefined }, /YIHU_RADIO_PTT_GPIO is required/],
    [{ YIHU_RADIO_PTT_GPIO: '17' }, /YIHU_RADIO_PTT_GPIO must be <chip>:<line>/],
    [{ YIHU_RADIO_PTT_ACTIVE_LOW: 'yes' }, /YIHU_RADIO_PTT_ACTIVE_LOW must be 0 or 1/],
    [{ YIHU_RADIO_PTT: 'cm108', YIHU_RADIO_HIDRAW: 'hidraw0' }, /YIHU_RADIO_HIDRAW must be a device path/],
    [
      { YIHU_RADIO_PTT: 'cm108', YIHU_RADIO_HIDRAW: '/dev/hidraw0', YIHU_RADIO_CM108_PTT_PIN: '5' },
      /YIHU_RADIO_CM108_PTT_PIN must be a whole number from 1 to 4/,
    ],
    [
      { YIHU_RADIO_COR: 'cm108', YIHU_RADIO_HIDRAW: '/dev/hidraw0', YIHU_RADIO_CM108_COR_PIN: 'GPIO1' },
      /YIHU_RADIO_CM108_COR_PIN must be one of VOL_UP/,
    ],
    [{ YIHU_RADIO_TX_DELAY_MS: '2000' }, /YIHU_RADIO_TX_DELAY_MS must be a whole number from 0 to 1000/],
    [{ YIHU_RADIO_TOT_SECONDS: '1.5' }, /YIHU_RADIO_TOT_SECONDS/],
    [{ YIHU_RADIO_JITTER_MS: '601' }, /YIHU_RADIO_JITTER_MS must be a whole number from 20 to 600/],
    [{ YIHU_RADIO_AUDIO_LOSS_MS: '5000' }, /YIHU_RADIO_AUDIO_LOSS_MS/],
    [{ YIHU_RADIO_VOX_THRESHOLD_DBFS: '0' }, /YIHU_RADIO_VOX_THRESHOLD_DBFS/],
    [{ YIHU_RADIO_RTP_PORT: '70000' }, /YIHU_RADIO_RTP_PORT/],
  ])('refuses %j naming the variable', (bad, message) => {
    const env: Record<string, string | undefined> = { ...base, YIHU_RADIO_PTT_GPIO: 'gpiochip0:17', ...bad };
    expect(() => loadRadioConfig(env)).toThrow(ConfigError);
    expect(() => loadRadioConfig(env)).toThrow(message);
  });
});
