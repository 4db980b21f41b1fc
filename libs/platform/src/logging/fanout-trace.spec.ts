import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { parseConfig } from '../config/load-config.js';
import { enableFanoutTrace, trace, traceCount } from './fanout-trace.js';

const configDir = '/nonexistent/yihu-config';

describe('YIHU_TRACE', () => {
  it('is on only for exactly "1", as bench/mqtt.mjs sets it', () => {
    expect(parseConfig({ env: {}, configDir }).YIHU_TRACE).toBe(false);
    expect(parseConfig({ env: { YIHU_TRACE: '1' }, configDir }).YIHU_TRACE).toBe(true);
    expect(parseConfig({ env: { YIHU_TRACE: '0' }, configDir }).YIHU_TRACE).toBe(false);
    expect(parseConfig({ env: { YIHU_TRACE: 'true' }, configDir }).YIHU_TRACE).toBe(false);
  });
});

describe('fan-out trace', () => {
  afterEach(() => {
    enableFanoutTrace(false);
    jest.restoreAllMocks();
  });

  const lines = () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    return () => write.mock.calls.map(([chunk]) => String(chunk));
  };

  it('writes nothing until enabled', () => {
    const written = lines();
    trace('outbox.chunk', { n: 1 });
    traceCount('ingest.ack', 1);
    expect(written()).toEqual([]);
  });

  it('writes `yihu-trace <ms> <step> <json>` and marks every n-th count', () => {
    enableFanoutTrace(true);
    const written = lines();
    trace('outbox.chunk', { n: 3 });
    for (let i = 0; i < 5; i++) traceCount('ingest.ack', 2);
    expect(written()).toEqual([
      expect.stringMatching(/^yihu-trace \d+ outbox\.chunk \{"n":3\}\n$/),
      expect.stringMatching(/^yihu-trace \d+ ingest\.ack \{"n":1\}\n$/),
      expect.stringMatching(/^yihu-trace \d+ ingest\.ack \{"n":3\}\n$/),
      expect.stringMatching(/^yihu-trace \d+ ingest\.ack \{"n":5\}\n$/),
    ]);
  });
});
