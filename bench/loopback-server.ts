import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The local webhook receivers of the benchmarks and of the tests (which import it from here: test/ is not built).

/** Starts `server` on a free port of 127.0.0.1; answers the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export function loopbackUrl(port: number, path: string): string {
  return `http://127.0.0.1:${port}${path}`;
}

/** Closes `server` (if it was started) and the connections senders keep alive, which `close` alone would wait for. */
export async function closeServer(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}
