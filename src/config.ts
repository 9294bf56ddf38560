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
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 1000 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100 }),
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
  requestTimeoutMs: number;
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
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
}
