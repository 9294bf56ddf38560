import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { randomBytes } from 'node:crypto';

/**
 * Every environment variable the service reads, in one schema. The README's
 * configuration table mirrors this; descriptions here are the source.
 */
const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  PGLITE_DATA_DIR: Type.String({ default: './.data/pglite', minLength: 1 }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 100 }),
  DB_STARTUP_RETRIES: Type.Integer({ default: 10, minimum: 0, maximum: 1000 }),
  ANALYZE_INTERVAL_MS: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ISSUER: Type.String({ default: 'satu-data-exchange', minLength: 1 }),
  JWT_AUDIENCE: Type.String({ default: 'satu-data-exchange-api', minLength: 1 }),
  TOKEN_TTL_SECONDS: Type.Integer({ default: 900, minimum: 60, maximum: 86400 }),
  JWT_CLOCK_TOLERANCE_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 300000 }),
  BOOTSTRAP_ADMIN_CLIENT_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{3,64}$' })),
  BOOTSTRAP_ADMIN_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 24, maxLength: 256 })),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1_048_576, minimum: 1024 }),
  UPLOAD_LIMIT_BYTES: Type.Integer({ default: 104_857_600, minimum: 1024 }),
  PUSH_ASYNC_ROWS: Type.Integer({ default: 50_000, minimum: 1 }),
  PUSH_MEMORY_POINTS: Type.Integer({ default: 500_000, minimum: 0 }),
  PUSH_SLICE_POINTS: Type.Integer({ default: 20_000, minimum: 1 }),
  PUBLISH_CHUNK_KEYS: Type.Integer({ default: 20_000, minimum: 1, maximum: 1_000_000 }),
  PUBLISH_ASYNC_KEYS: Type.Integer({ default: 100_000, minimum: 1 }),
  JOB_WORKER: Type.Boolean({ default: true }),
  JOB_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
  JOB_POLL_MS: Type.Integer({ default: 1000, minimum: 50, maximum: 600_000 }),
  JOB_LEASE_MS: Type.Integer({ default: 60_000, minimum: 500, maximum: 3_600_000 }),
  JOB_MAX_ATTEMPTS: Type.Integer({ default: 5, minimum: 1, maximum: 100 }),
  JOB_RETRY_MS: Type.Integer({ default: 1000, minimum: 10, maximum: 3_600_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 1000 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100 }),
  PUSH_MAX_COLUMNS: Type.Integer({ default: 200, minimum: 12, maximum: 16384 }),
  PUSH_MAX_LINE_BYTES: Type.Integer({ default: 1_048_576, minimum: 1024 }),
  PUSH_MAX_CELL_BYTES: Type.Integer({ default: 65_536, minimum: 256 }),
  XLSX_MAX_INFLATED_BYTES: Type.Integer({ default: 536_870_912, minimum: 1_048_576 }),
  JSON_MAX_DEPTH: Type.Integer({ default: 32, minimum: 8, maximum: 1000 }),
  JSON_MAX_ARRAY_ITEMS: Type.Integer({ default: 200_000, minimum: 100 }),
  CORS_ORIGINS: Type.String({ default: '', maxLength: 4096 }),
  TRUST_PROXY: Type.String({ default: '', maxLength: 4096, pattern: '^[0-9A-Fa-f.:/, ]*$' }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ maxLength: 2048 })),
  CATALOG_PUBLISHER_NAME: Type.String({ default: 'Satu Data Exchange', minLength: 1, maxLength: 300 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1, maximum: 3600 }),
  TOKEN_RATE_LIMIT_PER_CLIENT: Type.Integer({ default: 20, minimum: 0 }),
  TOKEN_RATE_LIMIT_PER_ADDRESS: Type.Integer({ default: 60, minimum: 0 }),
  WRITE_RATE_LIMIT_PER_CLIENT: Type.Integer({ default: 600, minimum: 0 }),
  SECRET_HASH_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
  WEBHOOK_WORKER: Type.Optional(Type.Boolean()),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Type.Boolean({ default: false }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 60_000 }),
  WEBHOOK_MAX_RESPONSE_BYTES: Type.Integer({ default: 65_536, minimum: 0, maximum: 10_485_760 }),
  WEBHOOK_MAX_FAILURES: Type.Integer({ default: 10, minimum: 1, maximum: 1000 }),
  WEBHOOK_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
  WEBHOOK_POLL_MS: Type.Integer({ default: 1000, minimum: 50, maximum: 600_000 }),
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 3_600_000 }),
  WEBHOOK_RETRY_MAX_MS: Type.Integer({ default: 3_600_000, minimum: 1000, maximum: 86_400_000 }),
});

export type Env = Static<typeof EnvSchema>;

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | undefined }
  | {
      kind: 'postgres';
      url: string;
      poolMax: number;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
    };

export interface AppConfig {
  /** How often the process refreshes the planner's statistics of tables that changed enough (table-statistics.ts); 0: never. */
  analyzeIntervalMs: number;
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  database: DatabaseConfig;
  jwt: {
    secret: string;
    issuer: string;
    audience: string;
    ttlSeconds: number;
    clockToleranceMs: number;
  };
  bodyLimitBytes: number;
  /** Dataset pushes (JSON, CSV, XLSX) may be larger than other bodies. */
  uploadLimitBytes: number;
  /** Pushes of more rows than this run as background jobs (202 and a job to poll). */
  pushAsyncRows: number;
  /**
   * Stored observations a push keeps in memory (~65 bytes each) for its plausibility checks;
   * a push with more reads them back from the database instead.
   */
  pushMemoryPoints: number;
  /** Points a push's plausibility checks judge at a time: bounds their memory (points, history, findings) and each statement's work. */
  pushSlicePoints: number;
  /** Keys a publication reconciles per slice: bounds its memory and each statement's work. */
  publishChunkKeys: number;
  /** Publications of versions with more observations than this run as jobs (202 and a job to poll). */
  publishAsyncKeys: number;
  jobs: JobConfig;
  requestTimeoutMs: number;
  /** How large, in each dimension, a request body may be before it is refused with 413. */
  inputLimits: InputLimits;
  /** Browser origins allowed to call the API (exact `scheme://host[:port]`); empty: no CORS at all. */
  corsOrigins: string[];
  /**
   * Addresses or CIDR ranges of the load balancers in front of the service, whose
   * X-Forwarded-For is believed for the client's address (per-address rate limits); empty: none.
   */
  trustedProxies: string[];
  /**
   * The scheme, host and path prefix under which clients reach the service, without a trailing
   * slash: the DCAT catalogue names its datasets and links its distributions with it.
   */
  publicBaseUrl: string;
  /** The dct:publisher of the DCAT catalogue: whoever runs this instance, usually the walidata. */
  catalogPublisherName: string;
  /** Requests per window and key; 0 turns a limit off. */
  rateLimits: {
    windowSeconds: number;
    tokenPerClient: number;
    tokenPerAddress: number;
    writesPerClient: number;
  };
  /** Client secrets checked at once; each check is a deliberately slow scrypt. */
  secretHashConcurrency: number;
  webhooks: WebhookConfig;
}

export interface JobConfig {
  /** Whether this process runs jobs at all (an API-only replica does not; it still accepts them). */
  worker: boolean;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** How often it looks for jobs nobody runs (those it accepts itself start at once). */
  pollMs: number;
  /** How long a claim lasts unless renewed (every third of it): then another process may take the job. */
  leaseMs: number;
  /** Claims of a job, crashes included, before it is given up as failed. */
  maxAttempts: number;
  /** A job that failed for a passing reason waits this long before its second attempt, doubling with each attempt, at most 60 times this. */
  retryMs: number;
  /** On shutdown, how long running jobs may go on before they are given back to the other processes. */
  drainMs: number;
}

export interface WebhookConfig {
  /** Whether this process runs the delivery loop (default: yes, except under NODE_ENV=test, where tests drive it). */
  worker: boolean;
  /** Loopback, private and link-local targets are refused unless this is set (SSRF). */
  allowPrivateTargets: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Consecutive failed deliveries after which a subscription is paused. */
  maxFailures: number;
  concurrency: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface InputLimits {
  /** Tabular pushes (CSV, XLSX): columns of the header, and cells of any row. */
  maxColumns: number;
  /** CSV: bytes of one physical line. */
  maxLineBytes: number;
  /** CSV and XLSX: UTF-8 bytes of one cell. */
  maxCellBytes: number;
  /** XLSX: decompressed bytes of one part of the workbook (the whole workbook: four times this). */
  xlsxMaxInflatedBytes: number;
  /** Every JSON body: nesting of arrays and objects, and items of any one array. */
  json: { maxDepth: number; maxArrayItems: number };
}

export interface ServerConfig extends AppConfig {
  host: string;
  port: number;
  startupRetries: number;
  shutdownTimeoutMs: number;
  /** True when no JWT_SECRET was given and a random one was made for this process. */
  jwtSecretGenerated: boolean;
  bootstrapAdmin: { clientId: string; secret: string } | undefined;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Comma-separated exact origins. A browser sends an origin in exactly this form, so anything
 * else (a path, a trailing slash, a wildcard) could never match and is refused at start-up.
 */
function parseOrigins(list: string): string[] {
  const origins = list.split(',').map((o) => o.trim()).filter(Boolean);
  const bad = origins.find((o) => !isExactOrigin(o));
  if (bad !== undefined) throw new ConfigError('CORS_ORIGINS', `must list exact origins such as https://dashboard.example.go.id (got ${JSON.stringify(bad)})`);
  return origins;
}

/**
 * An absolute http(s) URL without query, fragment or trailing slash. It is never taken from a
 * request's Host header: anyone can send any Host, and the catalogue's IRIs are the identities
 * harvesters keep, so they must not change with who asks.
 */
function parseBaseUrl(value: string | undefined, port: number): string {
  if (value === undefined) return `http://localhost:${port}`;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || value.endsWith('/')) {
    throw new ConfigError('PUBLIC_BASE_URL', `must be an absolute http(s) URL without a trailing slash, query or credentials, such as https://satudata.kaltaraprov.go.id/exchange (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv): ServerConfig {
  // Only our own variables, with empty strings treated as unset, so `FOO=` means "default".
  const raw: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw)) as Env;
  const firstError = [...Value.Errors(EnvSchema, env)][0];
  if (firstError) {
    const variable = firstError.instancePath.replace(/^\//, '') || 'environment';
    throw new ConfigError(variable, `${firstError.message} (got ${JSON.stringify(raw[variable] ?? null)})`);
  }
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production (at least 32 characters)');
  }
  if (Boolean(env.BOOTSTRAP_ADMIN_CLIENT_ID) !== Boolean(env.BOOTSTRAP_ADMIN_CLIENT_SECRET)) {
    const missing = env.BOOTSTRAP_ADMIN_CLIENT_ID ? 'BOOTSTRAP_ADMIN_CLIENT_SECRET' : 'BOOTSTRAP_ADMIN_CLIENT_ID';
    throw new ConfigError(missing, 'must be set together with its pair');
  }

  const database: DatabaseConfig = env.DATABASE_URL
    ? {
        kind: 'postgres',
        url: env.DATABASE_URL,
        poolMax: env.DB_POOL_MAX,
        connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      }
    : { kind: 'pglite', dataDir: env.PGLITE_DATA_DIR };

  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    host: env.HOST,
    port: env.PORT,
    database,
    startupRetries: env.DB_STARTUP_RETRIES,
    analyzeIntervalMs: env.ANALYZE_INTERVAL_MS ?? (env.NODE_ENV === 'test' ? 0 : 10_000),
    jwt: {
      secret: env.JWT_SECRET ?? randomBytes(48).toString('base64url'),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      ttlSeconds: env.TOKEN_TTL_SECONDS,
      clockToleranceMs: env.JWT_CLOCK_TOLERANCE_MS,
    },
    jwtSecretGenerated: !env.JWT_SECRET,
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_CLIENT_ID && env.BOOTSTRAP_ADMIN_CLIENT_SECRET
        ? { clientId: env.BOOTSTRAP_ADMIN_CLIENT_ID, secret: env.BOOTSTRAP_ADMIN_CLIENT_SECRET }
        : undefined,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    uploadLimitBytes: env.UPLOAD_LIMIT_BYTES,
    pushAsyncRows: env.PUSH_ASYNC_ROWS,
    pushMemoryPoints: env.PUSH_MEMORY_POINTS,
    pushSlicePoints: env.PUSH_SLICE_POINTS,
    publishChunkKeys: env.PUBLISH_CHUNK_KEYS,
    publishAsyncKeys: env.PUBLISH_ASYNC_KEYS,
    jobs: {
      worker: env.JOB_WORKER,
      concurrency: env.JOB_CONCURRENCY,
      pollMs: env.JOB_POLL_MS,
      leaseMs: env.JOB_LEASE_MS,
      maxAttempts: env.JOB_MAX_ATTEMPTS,
      retryMs: env.JOB_RETRY_MS,
      // Half the shutdown budget: the rest is for giving back what is still running.
      drainMs: Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2),
    },
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    inputLimits: {
      maxColumns: env.PUSH_MAX_COLUMNS,
      maxLineBytes: env.PUSH_MAX_LINE_BYTES,
      maxCellBytes: env.PUSH_MAX_CELL_BYTES,
      xlsxMaxInflatedBytes: env.XLSX_MAX_INFLATED_BYTES,
      json: { maxDepth: env.JSON_MAX_DEPTH, maxArrayItems: env.JSON_MAX_ARRAY_ITEMS },
    },
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    trustedProxies: env.TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean),
    publicBaseUrl: parseBaseUrl(env.PUBLIC_BASE_URL, env.PORT),
    catalogPublisherName: env.CATALOG_PUBLISHER_NAME,
    rateLimits: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      tokenPerClient: env.TOKEN_RATE_LIMIT_PER_CLIENT,
      tokenPerAddress: env.TOKEN_RATE_LIMIT_PER_ADDRESS,
      writesPerClient: env.WRITE_RATE_LIMIT_PER_CLIENT,
    },
    secretHashConcurrency: env.SECRET_HASH_CONCURRENCY,
    webhooks: {
      worker: env.WEBHOOK_WORKER ?? env.NODE_ENV !== 'test',
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      maxResponseBytes: env.WEBHOOK_MAX_RESPONSE_BYTES,
      maxFailures: env.WEBHOOK_MAX_FAILURES,
      concurrency: env.WEBHOOK_CONCURRENCY,
      pollMs: env.WEBHOOK_POLL_MS,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: env.WEBHOOK_RETRY_MAX_MS,
    },
  };
}
