import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from '@jest/globals';
import { udpListening } from './udp-listening.js';

const bind = (port = 0) =>
  new Promise<Socket>((resolve) => {
    const s = createSocket('udp4');
    s.bind(port, '127.0.0.1', () => resolve(s));
  });

describe('udpListening', () => {
  it('sees a port once something binds it, and not before', async () => {
    const probe = await bind();
    const port = probe.address().port;
    probe.close(); // free again
    expect(await udpListening([port], 100)).toBe(false);
    const late = new Promise<Socket>((resolve) => setTimeout(() => resolve(bind(port)), 150));
    const started = Date.now();
    expect(await udpListening([port], 3000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    (await late).close();
  });

  it('waits for every port', async () => {
    const a = await bind();
    const probe = await bind();
    const free = probe.address().port;
    probe.close();
    expect(await udpListening([a.address().port, free], 100)).toBe(false);
    a.close();
  });
});
