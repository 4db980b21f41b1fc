import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Aedes } from 'aedes';
import { ROOT } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/terminals.js';

/**
 * The push-terminal agent's console (the built agent process, its stdin and stdout): a
 * directive whose title carries terminal controls (screen clear, colour, bell, a window
 * title, C1 controls, a bidi override) is shown, listed by `list` and 签收ed without one
 * of them reaching the screen. A plain aedes stands in for the hub's broker.
 */
describe('push-terminal console output', () => {
  const ID = 't00000000000000000c0e';
  let broker: Aedes | undefined;
  let server: Server | undefined;
  let agent: ChildProcess | undefined;

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('`list`, the main screen and the 签收 answer print no control characters from a title', async () => {
    broker = await Aedes.createBroker();
    const subscribed = new Promise<void>((resolve) =>
      broker!.on('subscribe', (subs) => {
        if (subs.some((s) => s.topic === `yihu/v1/terminals/${ID}/directives`)) resolve();
      }),
    );
    server = createServer(broker.handle);
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));

    let out = '';
    agent = spawn(process.execPath, [join(ROOT, 'dist/gateways/push-terminal/src/main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        YIHU_MQTT_URL: `mqtt://127.0.0.1:${port}`,
        YIHU_TERMINAL_ID: ID,
        YIHU_TERMINAL_SECRET: 'any-secret',
        YIHU_INBOX_DIR: mkdtempSync(join(tmpdir(), 'yihu-console-')),
        YIHU_SPEECH: 'off',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    agent.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    agent.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    await subscribed;

    const title = '撤离\x1b[2J\x1b[H\x1b[31;1m\x07\x1b]0;owned\x07\x9b2J\u202egnp.exe';
    const message = {
      messageId: randomUUID(),
      directiveId: randomUUID(),
      serial: 'ZL-2026-9\x1b[5m',
      title,
      body: '立即转移\x1b[2K',
      level: 'red',
      issuedAt: new Date().toISOString(),
      expiresAt: null,
      drill: false,
    };
    broker.publish(
      {
        cmd: 'publish',
        topic: `yihu/v1/terminals/${ID}/directives`,
        payload: Buffer.from(JSON.stringify(message)),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
    await waitFor(() => out.includes(message.messageId), 'the directive shown', 15_000);

    agent.stdin!.write('list\n');
    await waitFor(() => out.includes('1. ZL-2026-9'), 'the list', 10_000);
    agent.stdin!.write('a\n');
    await waitFor(() => out.includes('签收 ✓'), 'the 签收 answer', 10_000);

    // stdout is a pipe, so not even the screen's own colours are written
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(out).not.toContain('owned');
    expect(out).toMatch(/1\. ZL-2026-9 【撤离.*gnp\.exe】/);
  }, 60_000);
});
