import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { DomainError } from '../http/domain-error.js';
import { EventHandler } from './event-handler.js';

/** A handler whose log lines are kept, to count what an unexpected failure writes. */
function handler(): { events: EventHandler; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { events: new EventHandler(pino(sink), 'test'), lines };
}

const Schema = z.strictObject({ id: z.string().min(1).max(8) });

describe('EventHandler', () => {
  it('answers ok with what the action returns, given the parsed payload', async () => {
    const { events } = handler();
    await expect(events.run(Schema, { id: 'a' }, async ({ id }) => ({ echoed: id }))).resolves.toEqual({
      ok: true,
      echoed: 'a',
    });
  });

  it('refuses a bad payload naming the field, without acting', async () => {
    const { events } = handler();
    let acted = false;
    const answer = await events.run(Schema, { id: '' }, async () => ((acted = true), {}));
    expect(answer.ok).toBe(false);
    expect(answer).toMatchObject({ error: expect.stringContaining('id') });
    expect(acted).toBe(false);
    // text no column can hold is refused before the schema
    expect(await events.run(Schema, { id: 'a\u0000' }, async () => ({}))).toMatchObject({ ok: false });
  });

  it("answers a DomainError with its message and logs nothing: it is the client's to read", async () => {
    const { events, lines } = handler();
    const answer = await events.run(Schema, { id: 'a' }, async () => {
      throw new DomainError('forbidden', 'not yours');
    });
    expect(answer).toEqual({ ok: false, error: 'not yours' });
    expect(lines).toEqual([]);
  });

  it('answers anything else "internal error" and logs it once, never its text to the client', async () => {
    const { events, lines } = handler();
    const answer = await events.run(Schema, { id: 'a' }, async () => {
      throw new Error('connection terminated');
    });
    expect(answer).toEqual({ ok: false, error: 'internal error' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, event: 'test', err: { message: 'connection terminated' } });
  });
});
