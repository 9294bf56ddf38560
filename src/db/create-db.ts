import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { seedFor } from './pglite-seed.js';
import pg from 'pg';
import pLimit from 'p-limit';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CopyFromBlob } from '../../migrations/reference-files.js';
import type { DatabaseConfig } from '../config.js';
import { HOLD_INSTANCE_LOCK } from './instance.js';
import type { DB } from './schema.js';

/** Streams rows, already in COPY text format, into a table: `statement` is `copy … from stdin`. */
export type CopyIn = (statement: string, rows: Buffer) => Promise<void>;

export interface Database {
  readonly kind: DatabaseConfig['kind'];
  readonly db: Kysely<DB>;
  /** This process's id among those sharing the database (see instance.ts). */
  readonly instanceId: string;
  /** The embedded engine, when there is one (to dump its data directory). */
  readonly pglite?: PGlite;
  /** PGlite only: bulk-loads a file into a table, inside the transaction under way (see migrations/reference-files.ts). */
  readonly copyFromBlob?: CopyFromBlob;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Subscribes to a notification channel, on a connection of its own on a server. A failed
   * subscription rejects; once subscribed, `onLost` is called at most once, when that
   * connection fails (or stops answering), and the subscription is then over. On a server
   * that connection also holds this process's instance lock, for as long as it lives.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost: (err: Error) => void): Promise<Subscription>;
  /**
   * Runs `work` on one connection of its own. On a server, `copy` streams rows in on that same
   * connection, inside whatever transaction `work` opened there, and `pool` runs statements
   * that need not wait for it (reads of reference data) on other connections. PGlite is one
   * connection: it has neither, so callers insert set-based and read in their transaction.
   */
  withConnection<T>(work: (connection: { db: Kysely<DB>; copy?: CopyIn; pool?: Kysely<DB> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Subscription {
  /**
   * Resolves once every notification of a transaction committed before the call has been
   * handed to `onNotify` (a round trip on the listening connection: the server delivers
   * pending notifications before answering it). Resolves at once when the subscription is
   * over; its loss is reported by `onLost`.
   */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /**
   * Called when a pool connection fails, idle or in use (the server restarted, an operator
   * terminated it). The pool replaces it; whatever was using it fails with the error, which
   * routes answer as 503.
   */
  onPoolError?: (err: Error) => void;
  /**
   * PGlite only: an in-memory filesystem that already holds a data directory (tests start every
   * database from one dump this way instead of loading the reference data).
   */
  fs?: PGliteOptions['fs'];
}

export function createDb(config: DatabaseConfig, options: CreateDbOptions = {}): Database {
  return config.kind === 'postgres' ? createPostgres(config, options) : createPglite(config.dataDir, options);
}

function createPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>, options: CreateDbOptions): Database {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + 1_000,
    application_name: 'satu-data-exchange',
  });
  // An 'error' event nobody listens to crashes the process. The pool listens to its clients
  // only while they are idle; a client Kysely or withConnection has checked out (its query
  // has failed, and the connection's end is reported a moment later) would have no listener
  // at all. So every client gets one for its whole life, and the pool's own report of an
  // idle client's error, which that listener has already seen, is dropped.
  pool.on('connect', (client) => client.on('error', (err) => options.onPoolError?.(err)));
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  // A push holds a connection for its whole transaction and reads reference data on a second
  // one; at most half the pool is held that way, so pushes queue for their turn instead of
  // taking every connection while each waits for another (and starving all other requests).
  const dedicated = pLimit(Math.max(1, Math.floor(config.poolMax / 2)));
  const instanceId = randomUUID();
  return {
    kind: 'postgres',
    db,
    instanceId,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    listen: (channel, onNotify, onLost) => listenOnServer(config, instanceId, channel, onNotify, onLost),
    withConnection: (work) =>
      dedicated(async () => {
        const client = await pool.connect();
        // A connection that dies between statements must not go back to the pool.
        let broken: Error | undefined;
        const onError = (err: Error) => {
          broken = err;
        };
        client.on('error', onError);
        try {
          return await work({
            db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: singleConnection(client) }) }),
            copy: (statement, rows) => copyIn(client, statement, rows),
            pool: db,
          });
        } finally {
          client.off('error', onError);
          client.release(broken);
        }
      }),
    close: () => db.destroy(),
  };
}

/** A "pool" of one checked-out connection, so Kysely and a raw COPY share its transaction. */
function singleConnection(client: pg.PoolClient) {
  const shared = { query: client.query.bind(client), release: () => {} };
  return { connect: async () => shared, end: async () => {} } as unknown as pg.Pool;
}

async function copyIn(client: pg.PoolClient, statement: string, rows: Buffer): Promise<void> {
  await pipeline(Readable.from([rows]), client.query(copyFrom(statement)));
}

// How often the listening connection proves it is alive: a connection cut without a word (a
// NAT timeout, a failover) would otherwise look live while no notification can arrive.
const LISTENER_HEARTBEAT_MS = 5_000;

async function listenOnServer(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
  instanceId: string,
  channel: string,
  onNotify: (payload: string) => void,
  onLost: (err: Error) => void,
): Promise<Subscription> {
  const client = new pg.Client({
    connectionString: config.url,
    connectionTimeoutMillis: config.connectTimeoutMs,
    query_timeout: LISTENER_HEARTBEAT_MS,
    application_name: 'satu-data-exchange listener',
  });
  let started = false;
  let over = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const end = () => {
    over = true;
    clearInterval(heartbeat);
    return client.end().catch(() => undefined);
  };
  const lose = (err: Error) => {
    if (over) return;
    void end();
    onLost(err);
  };
  // Listened to from the start: a connection that fails while the subscription is being
  // made emits 'error' too, after the failed statement has rejected.
  client.on('error', (err) => {
    if (started) lose(err);
  });
  // The instance lock is usually taken at once. It is not while an earlier connection of this
  // process, already dead, still holds it on the server's side, or while another process
  // probes it; then the heartbeat tries again.
  let holdsLock = false;
  const holdLock = async () => {
    holdsLock = (await client.query<{ held: boolean }>(HOLD_INSTANCE_LOCK, [instanceId])).rows[0]?.held === true;
  };
  try {
    await client.connect();
    await client.query(`listen ${client.escapeIdentifier(channel)}`);
    await holdLock();
  } catch (err) {
    // A failed start is reported by the rejection alone, never also as a loss.
    await end();
    throw err;
  }
  started = true;
  client.on('end', () => lose(new Error('the listening connection was closed')));
  client.on('notification', (message) => {
    if (message.channel === channel) onNotify(message.payload ?? '');
  });
  heartbeat = setInterval(() => {
    (holdsLock ? client.query('select 1') : holdLock()).catch((err: Error) => lose(err));
  }, LISTENER_HEARTBEAT_MS);
  heartbeat.unref();
  return {
    flush: async () => {
      if (over) return;
      await client.query('select 1').catch(() => undefined);
    },
    close: async () => {
      await end();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same directory would
 * corrupt it. A pid file next to the data makes the second one stop with a clear message.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new Error(`The PGlite data directory ${dataDir} is in use by process ${pid}. Stop it first, or use DATABASE_URL.`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function createPglite(dataDir: string | undefined, options: CreateDbOptions): Database {
  let unlock = () => {};
  if (dataDir && !options.fs) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  // A new directory starts from the build's seed when there is one (db/pglite-seed.ts).
  const loadDataDir = dataDir && !options.fs ? seedFor(dataDir) : undefined;
  const pglite = new PGlite({
    ...(options.fs ? { fs: options.fs } : dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    instanceId: randomUUID(),
    pglite,
    copyFromBlob: async (statement, data) => {
      await pglite.query(statement, [], { blob: data });
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    withConnection: (work) => work({ db }),
    // In-process: a notification is handed over (in a microtask) as the notifying
    // statement's result comes back, so by the time its writer has answered there is nothing
    // left to flush.
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, onNotify);
      return {
        flush: async () => {},
        close: async () => {
          if (!pglite.closed) await unlisten();
        },
      };
    },
    // Kysely closes PGlite only if a query ever ran; an idle PGlite would keep the process alive.
    close: async () => {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        unlock();
      }
    },
  };
}
