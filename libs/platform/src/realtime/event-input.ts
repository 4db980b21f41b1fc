import type { Namespace, Server, Socket } from 'socket.io';
import type { z } from 'zod';
import { describeIssues, fieldIssues, findUnstorableText } from '#contracts';

export type ParsedEvent<T> = { ok: true; data: T } | { ok: false; error: string };

/**
 * Every gateway handler's first step: text no column can hold (NUL, an unpaired
 * surrogate) is refused in any field, then the payload is parsed with its contract schema.
 * The error names the fields, as a REST 400 does.
 */
export function parseEvent<S extends z.ZodType>(schema: S, body: unknown): ParsedEvent<z.infer<S>> {
  const unstorable = findUnstorableText(body);
  if (unstorable) return { ok: false, error: describeIssues([unstorable]) };
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) return { ok: false, error: describeIssues(fieldIssues(parsed.error)) };
  return { ok: true, data: parsed.data };
}

function guardSocket(socket: Socket): void {
  socket.use((packet, next) => {
    const args = packet.slice(1);
    const ack =
      typeof args[args.length - 1] === 'function' ? (args.pop() as (r: unknown) => void) : undefined;
    const issue = findUnstorableText(args.length === 1 ? args[0] : args);
    if (!issue) return next();
    // answered like a handler's refusal; the event goes no further
    ack?.({ ok: false, error: describeIssues([issue]) });
  });
}

function guardNamespace(ns: Namespace): void {
  ns.on('connection', guardSocket);
}

/**
 * The same check for every event on every namespace of a server, handled or not, before
 * any handler runs: a gateway that forgets parseEvent still never sees such text.
 */
export function guardSocketInput(server: Server): void {
  guardNamespace(server.of('/'));
  server.on('new_namespace', guardNamespace);
}
