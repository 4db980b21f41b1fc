import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

/**
 * An HTTP server that only counts what reaches it: a hostile XML document points its
 * entities, DTD, stylesheet and XInclude here, and a safe reader leaves the count at 0.
 */
export async function countingServer(): Promise<{
  url: string;
  requests: () => string[];
  close: () => Promise<void>;
}> {
  const seen: string[] = [];
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.end('<!ENTITY % send "">');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
