import type { Server } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { EmulatorThreadData, HostMessage, ServeEmulator, ThreadMessage } from './emulator-thread';
import { serializeError } from './worker-protocol';

/**
 * The inside of the thread `startEmulatorThread` starts: runs the emulator's serve function and,
 * when asked, a switchable entrance to it. The entrance hands each connection it accepts to the
 * emulator's own HTTP server, so a request costs no hop more than a direct one (a proxy in front
 * would parse and send each one again); switched off, it cuts what it accepted and resets what
 * arrives, as a proxy switched off does.
 */
export async function runEmulatorThread(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('runEmulatorThread runs in a worker thread only.');
  const data = workerData as EmulatorThreadData<unknown>;
  const post = (message: ThreadMessage) => port.postMessage(message);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen at run time
    const serve = (require(data.module) as Record<string, ServeEmulator<unknown>>)[data.exportName];
    if (typeof serve !== 'function') throw new Error(`${data.module} exports no ${data.exportName}.`);
    const running = await serve(data.args);
    const entrance =
      data.switchable === undefined ? undefined : await openEntrance(running.server, data.switchable.port);
    port.on('message', (message: HostMessage) => {
      if (message.type === 'available') {
        entrance?.setAvailable(message.available);
        return post({ type: 'available', available: message.available });
      }
      void (async () => {
        await entrance?.close();
        await running.close().catch(() => undefined);
        post({ type: 'stopped' });
        port.close();
      })();
    });
    post({ type: 'ready', endpoint: endpointOf(running.server), switchableEndpoint: entrance?.endpoint });
  } catch (error) {
    post({ type: 'error', error: serializeError(error) });
  }
}

interface Entrance {
  endpoint: string;
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

async function openEntrance(emulator: Server, port = 0): Promise<Entrance> {
  const sockets = new Set<Socket>();
  let available = true;
  const entrance = createServer((socket) => {
    if (!available) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    emulator.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    entrance.once('error', reject);
    entrance.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(entrance.address() as AddressInfo).port}`,
    setAvailable: (value) => {
      available = value;
      if (!value) for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        entrance.close(() => resolve());
      }),
  };
}

function endpointOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
