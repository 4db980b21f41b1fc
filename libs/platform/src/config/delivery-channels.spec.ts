import { describe, expect, it } from '@jest/globals';
import { StartupError } from '../startup-error.js';
import { parseConfig } from './load-config.js';

const configDir = '/nonexistent-yihu-config';

/** DELIVERY_CHANNELS: the channels a split deployment serves (docs/channels.md). */
describe('DELIVERY_CHANNELS', () => {
  it('is empty when unset, and a de-duplicated list when set', () => {
    expect(parseConfig({ env: {}, configDir }).DELIVERY_CHANNELS).toEqual([]);
    expect(
      parseConfig({ env: { DELIVERY_CHANNELS: 'console,terminal,radio,terminal' }, configDir })
        .DELIVERY_CHANNELS,
    ).toEqual(['console', 'terminal', 'radio']);
  });

  it.each(['sms', 'console,', 'console terminal', 'CONSOLE'])(
    'stops the start naming the variable for %j',
    (value) => {
      let error: unknown;
      try {
        parseConfig({ env: { DELIVERY_CHANNELS: value }, configDir });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toMatch(/DELIVERY_CHANNELS/);
      expect((error as Error).message).toMatch(/console, terminal, radio/);
    },
  );
});
