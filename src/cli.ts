import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createDb } from './db/create-db.js';
import { migrateToLatest } from './db/migrate.js';
import { AppError, toProblem } from './http/app-error.js';
import { ROLES, type Role } from './modules/auth/principal.js';
import { listClients } from './modules/clients/repository.js';
import { createClient, disable, presentClient, rotateSecret } from './modules/clients/service.js';

const USAGE = `Usage: npm run cli -- clients <command> [options]

Commands:
  clients create --role <admin|walidata|producer|consumer> [--agency CODE] [--name TEXT]
  clients list [--role ROLE] [--agency CODE]
  clients disable <client-id>
  clients rotate <client-id>

Uses DATABASE_URL (or the PGlite data in PGLITE_DATA_DIR, which the server must not be
using at the same time). Every change is recorded in the audit log with actor "cli".`;

const ACTOR = { system: 'cli' };

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    agency: { type: 'string' },
    name: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [group, command, target] = positionals;
if (values.help || group !== 'clients' || !command) fail(USAGE, values.help ? 0 : 2);

const config = loadConfig(process.env);
const database = createDb(config.database);
try {
  await migrateToLatest(database.db);
  switch (command) {
    case 'create': {
      const role = values.role as Role | undefined;
      if (!role || !ROLES.includes(role)) fail(`--role must be one of: ${ROLES.join(', ')}`);
      const { client, client_secret } = await createClient(database.db, ACTOR, undefined, {
        role,
        agency: values.agency,
        name: values.name ?? (values.agency ? `${role} ${values.agency}` : role),
      });
      process.stdout.write(`client_id:     ${client.client_id}\nclient_secret: ${client_secret}\n(the secret is shown only now)\n`);
      break;
    }
    case 'list': {
      const rows = await listClients(database.db, { role: values.role, agency: values.agency, limit: 10_000 });
      for (const c of rows.map(presentClient)) {
        process.stdout.write(`${c.client_id}\t${c.role}\t${c.agency ?? '-'}\t${c.status}\t${c.name}\n`);
      }
      break;
    }
    case 'disable': {
      if (!target) fail('clients disable needs a client id');
      const client = await disable(database.db, ACTOR, undefined, target);
      process.stdout.write(`${client.client_id} disabled\n`);
      break;
    }
    case 'rotate': {
      if (!target) fail('clients rotate needs a client id');
      const { client, client_secret } = await rotateSecret(database.db, ACTOR, undefined, target);
      process.stdout.write(`client_id:     ${client.client_id}\nclient_secret: ${client_secret}\n(old secret and tokens no longer work)\n`);
      break;
    }
    default:
      fail(USAGE);
  }
} catch (err) {
  if (err instanceof AppError) {
    const problem = toProblem(err, 'en', 'cli', '-');
    const details = (problem.errors ?? []).map((e) => `  ${e.pointer}: ${e.detail}`).join('\n');
    fail(`${problem.title}: ${problem.detail}${details ? `\n${details}` : ''}`, 1);
  }
  throw err;
} finally {
  await database.close();
}
