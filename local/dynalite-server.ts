import type { Server } from 'node:http';
import type { RunningEmulator } from './emulator-thread';

/** dynalite ships no types; it returns a plain Node HTTP server. */
type Dynalite = (options: {
  /** A LevelDB folder; without it everything is in memory. */
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** What {@link serveDynalite} is started with. */
export interface DynaliteArgs {
  /** Keep the tables and their items in this folder (LevelDB). @default in memory */
  dataDir?: string;
}

/** dynalite listening on loopback. Runs in the thread `startLocalDynamoDb` starts for it. */
export async function serveDynalite(args: DynaliteArgs): Promise<RunningEmulator> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite is CommonJS without types
  const dynalite: Dynalite = require('dynalite');
  // Tables become ACTIVE at once, so nothing waits on CREATING.
  const server = dynalite({ path: args.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    close: async () => {
      // Handlers keep keep-alive sockets open; close() alone would wait for them.
      server.closeAllConnections();
      // close() also closes the LevelDB folder, so a restart can open it again.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
