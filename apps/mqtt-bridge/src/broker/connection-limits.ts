import type { Parser } from 'mqtt-packet';

/** What the embedded broker admits before a client has authenticated, and how big a packet may be. */
export interface BrokerLimits {
  /** any packet after the first; devices send at most 16 KiB of payload plus topic and headers */
  maxPacketBytes: number;
  /** the first packet (the CONNECT), read before the client has authenticated */
  maxConnectBytes: number;
  /** time from the socket (TLS: the TCP socket) to a CONNECT */
  connectTimeoutMs: number;
  /** sockets not yet authenticated, per remote address and in all */
  pendingPerAddress: number;
  pendingTotal: number;
}

/** The defaults of the MQTT_MAX_* / MQTT_PENDING_* / MQTT_CONNECT_TIMEOUT_SECONDS settings. */
export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxPacketBytes: 20_000,
  maxConnectBytes: 4096,
  connectTimeoutMs: 10_000,
  pendingPerAddress: 256,
  pendingTotal: 4096,
};

/**
 * Sockets that have not authenticated yet, per remote address and in all. A socket counts
 * from the moment it is accepted until its CONNECT is accepted or it closes; past a bound
 * the new socket is closed at once. Each one holds a file descriptor and, until the connect
 * timeout, up to a CONNECT's worth of buffered bytes.
 */
export class PendingConnections {
  private readonly byAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<BrokerLimits, 'pendingPerAddress' | 'pendingTotal'>) {}

  /** a release function (idempotent) if admitted, else why not */
  admit(address: string | undefined): (() => void) | 'address' | 'total' {
    const key = address ?? '';
    const here = this.byAddress.get(key) ?? 0;
    if (here >= this.limits.pendingPerAddress) return 'address';
    if (this.total >= this.limits.pendingTotal) return 'total';
    this.byAddress.set(key, here + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byAddress.get(key) ?? 1) - 1;
      if (left > 0) this.byAddress.set(key, left);
      else this.byAddress.delete(key);
    };
  }

  get count(): number {
    return this.total;
  }
}

/**
 * Refuses a packet as soon as its fixed header declares more than the cap, before a byte of
 * its body is buffered: mqtt-packet keeps the whole body in memory until it is complete,
 * so a CONNECT declaring 250 MB was held (and could fill the hub's memory) until the connect
 * timeout, and an authenticated PUBLISH of 64 MB was read whole before the 16 KiB check.
 * aedes 1.2 has no packet size option, so the guard sits in the parser's length step
 * (mqtt-packet 9 `_parseLength`, which has just read the Remaining Length [MQTT-2.2.3]).
 * The error closes the connection ([MQTT-4.8.0-1] allows closing on a protocol violation).
 */
export function capPacketSize(
  parser: Parser,
  caps: Pick<BrokerLimits, 'maxPacketBytes' | 'maxConnectBytes'>,
  onTooLarge: (first: boolean, declared: number) => void,
): void {
  const internals = parser as unknown as MqttPacketParserInternals;
  const parseLength = internals._parseLength;
  let first = true;
  internals._parseLength = function (this: MqttPacketParserInternals): boolean {
    if (!parseLength.call(this)) return false;
    const cap = first ? caps.maxConnectBytes : caps.maxPacketBytes;
    const wasFirst = first;
    first = false;
    if (this.packet.length <= cap) return true;
    onTooLarge(wasFirst, this.packet.length);
    this._emitError(new Error(`packet too large: ${this.packet.length} bytes declared, at most ${cap}`));
    return false;
  };
}

interface MqttPacketParserInternals {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/** The parser internals capPacketSize relies on; checked once at start so an upgrade fails loudly. */
export function parserHasLengthStep(parser: Parser): boolean {
  const internals = parser as unknown as Partial<MqttPacketParserInternals>;
  return typeof internals._parseLength === 'function' && typeof internals._emitError === 'function';
}
