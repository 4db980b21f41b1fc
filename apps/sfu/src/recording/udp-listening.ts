import { readFileSync } from 'node:fs';

/** Local UDP ports bound on this host, from the kernel's socket tables (Linux). */
function boundUdpPorts(): Set<number> | null {
  const ports = new Set<number>();
  let read = false;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    read = true;
    // "  sl  local_address rem_address ...": local_address is ADDR:PORT in hex
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const port = local?.slice(local.lastIndexOf(':') + 1);
      if (port) ports.add(parseInt(port, 16));
    }
  }
  return read ? ports : null;
}

/**
 * Resolves true once every port is bound (by ffmpeg, reading its SDP), false after `maxMs`.
 * Read from the kernel's tables rather than probed with a bind of our own, which could take
 * a port in the instant ffmpeg wants it. Without /proc it waits `fallbackMs` and says false.
 */
export async function udpListening(ports: number[], maxMs: number, fallbackMs = 700): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const bound = boundUdpPorts();
    if (!bound) {
      await new Promise((r) => setTimeout(r, fallbackMs));
      return false;
    }
    if (ports.every((p) => bound.has(p))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
