import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError, toProblem } from '../http/app-error.js';
import { ROLES, type Role } from '../domain/principal.js';
import { listClients } from '../modules/clients/repository.js';
import { createClient, disable, presentClient, rotateSecret } from '../modules/clients/service.js';

export const USAGE = `Usage: npm run cli -- clients <command> [options]

Commands:
  clients create --role <admin|walidata|producer|consumer> [--agency CODE] [--name TEXT]
  clients list [--role ROLE] [--agency CODE]
  clients disable <client-id>
  clients rotate <client-id>

Uses DATABASE_URL (or the PGlite data in PGLITE_DATA_DIR, which the server must not be
using at the same time). Every change is recorded in the audit log with actor "cli".`;

const ACTOR = { system: 'cli' };

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const usage = (message = USAGE): CommandResult => ({ exitCode: 2, stdout: '', stderr: `${message}\n` });

/** `clients …` commands of the CLI, separate from process handling so they can be tested. */
export async function runClientsCommand(argv: string[], db: Kysely<DB>): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { role: { type: 'string' }, agency: { type: 'string' }, name: { type: 'string' } },
    });
  } catch (err) {
    return usage(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { positionals, values } = parsed;
  const [group, command, target] = positionals;
  if (group !== 'clients') return usage();

  try {
    switch (command) {
      case 'create': {
        const role = values.role as Role | undefined;
        if (!role || !ROLES.includes(role)) return usage(`--role must be one of: ${ROLES.join(', ')}`);
        const { client, client_secret } = await createClient(db, ACTOR, undefined, {
          role,
          agency: values.agency,
          name: values.name ?? (values.agency ? `${role} ${values.agency}` : role),
        });
        return ok(`client_id:     ${client.client_id}\nclient_secret: ${client_secret}\n(the secret is shown only now)\n`);
      }
      case 'list': {
        const rows = await listClients(db, { role: values.role, agency: values.agency, limit: 10_000 });
        return ok(rows.map(presentClient).map((c) => `${c.client_id}\t${c.role}\t${c.agency ?? '-'}\t${c.status}\t${c.name}\n`).join(''));
      }
      case 'disable': {
        if (!target) return usage('clients disable needs a client id');
        const client = await disable(db, ACTOR, undefined, target);
        return ok(`${client.client_id} disabled\n`);
      }
      case 'rotate': {
        if (!target) return usage('clients rotate needs a client id');
        const { client, client_secret } = await rotateSecret(db, ACTOR, undefined, target);
        return ok(`client_id:     ${client.client_id}\nclient_secret: ${client_secret}\n(old secret and tokens no longer work)\n`);
      }
      default:
        return usage();
    }
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const problem = toProblem(err, 'en', 'cli', '-');
    const details = (problem.errors ?? []).map((e) => `  ${e.pointer}: ${e.detail}\n`).join('');
    return { exitCode: 1, stdout: '', stderr: `${problem.title}: ${problem.detail}\n${details}` };
  }
}
