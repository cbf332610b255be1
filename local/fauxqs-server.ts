import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import type { RunningEmulator } from './emulator-thread';

/** What {@link serveFauxqs} is started with. */
export interface FauxqsArgs {
  /** Keep SQS's queues and messages in a SQLite file in this folder. @default in memory only */
  dataDir?: string;
}

/**
 * fauxqs (SQS and S3) listening on loopback only (`startFauxqs` would bind every interface), with
 * SQS kept in `dataDir` when given. Runs in the thread `startLocalSqs` starts for it.
 */
export async function serveFauxqs(args: FauxqsArgs): Promise<RunningEmulator> {
  // fauxqs is ESM-only; a dynamic import loads it from this CommonJS module.
  const { buildApp } = await import('fauxqs');
  const persistent = args.dataDir === undefined ? undefined : await persistentStores(args.dataDir);
  type Stores = NonNullable<Parameters<typeof buildApp>[0]>['stores'];
  const fauxqs = buildApp({ logger: false, stores: persistent?.stores as Stores });
  if (persistent !== undefined) fauxqs.addHook('preClose', () => persistent.close());
  await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  return { server: fauxqs.server, close: () => fauxqs.close() };
}

/** fauxqs's stores with its SQLite persistence for SQS, as its own startFauxqs wires them. */
interface PersistentStores {
  /** What buildApp's `stores` option takes (typed there: fauxqs's types load only as ESM). */
  stores: unknown;
  close(): void;
}

/**
 * fauxqs's SQLite persistence, wired as `startFauxqs({ dataDir })` does, but for a server we bind
 * to loopback ourselves (startFauxqs listens on every interface). fauxqs exports neither the
 * stores nor the persistence manager, so they are loaded from its files: a fauxqs upgrade that
 * moves them fails here, with this message, rather than losing state (test/integration/local-state.test.ts).
 * S3 stays in memory: the local archive keeps its objects as files of its own.
 */
async function persistentStores(dataDir: string): Promise<PersistentStores> {
  // Found by the resolution paths: fauxqs's exports map hides its files from require.resolve.
  const dist = (require.resolve.paths('fauxqs') ?? [])
    .map((dir) => path.join(dir, 'fauxqs', 'dist'))
    .find((dir) => existsSync(path.join(dir, 'app.js')));
  if (dist === undefined) throw new Error('fauxqs is not installed: run npm install.');
  const load = async <T>(file: string): Promise<T> => {
    try {
      return (await import(pathToFileURL(path.join(dist, file)).href)) as T;
    } catch (error) {
      throw new Error(
        `This fauxqs version has no ${file}, which keeping local state needs: install the version in package-lock.json (npm ci), or start with --state-dir none.`,
        { cause: error },
      );
    }
  };
  type Constructor = new (...args: never[]) => unknown;
  const { SqsStore } = await load<{ SqsStore: Constructor }>('sqs/sqsStore.js');
  const { SnsStore } = await load<{ SnsStore: Constructor }>('sns/snsStore.js');
  const { S3Store } = await load<{ S3Store: Constructor }>('s3/s3Store.js');
  const { PersistenceManager } = await load<{ PersistenceManager: new (dir: string) => FauxqsPersistence }>(
    'persistence.js',
  );
  mkdirSync(dataDir, { recursive: true });
  const sqsStore = new SqsStore() as FauxqsSqsStore;
  const snsStore = new SnsStore() as { persistence?: unknown };
  const manager = new PersistenceManager(dataDir);
  // fauxqs commits every message change on its own, and SQLite's default (synchronous=FULL) makes
  // each commit an fsync on the event loop: most of SendMessage's time under load. NORMAL, with
  // fauxqs's WAL journal, still keeps every commit across a crash or a Ctrl-C of npm start; only
  // the machine losing power could undo the last few.
  manager.db.exec('PRAGMA synchronous = NORMAL');
  // Load first, then attach: attaching first would write the loaded rows back while loading.
  manager.loadSqsAndSns(sqsStore, snsStore);
  sqsStore.persistence = manager;
  snsStore.persistence = manager;
  for (const queue of sqsStore.allQueues()) queue.persistence = manager;
  return {
    stores: { sqsStore, snsStore, s3Store: new S3Store() },
    close: () => manager.close(),
  };
}

interface FauxqsPersistence {
  db: { exec(sql: string): void };
  loadSqsAndSns(sqsStore: unknown, snsStore: unknown): void;
  close(): void;
}

interface FauxqsSqsStore {
  persistence?: unknown;
  allQueues(): Iterable<{ persistence?: unknown }>;
}
