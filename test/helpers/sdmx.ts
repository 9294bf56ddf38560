import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { projectRoot } from '../../migrations/reference-files.js';

const run = promisify(execFile);
const OFFICIAL = join(projectRoot(), 'test', 'fixtures', 'sdmx-2.1');

/**
 * Whether a program is on the PATH (xmllint, Rscript): a bare machine may lack them and skips
 * those checks. CI installs them, so there a missing one fails the test instead of skipping it.
 */
export async function has(program: string): Promise<boolean> {
  if (process.env.CI) return true;
  try {
    await run('sh', ['-c', `command -v ${program}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A directory holding the official SDMX 2.1 schemas (test/fixtures/sdmx-2.1), where a
 * dataflow's structure-specific schema can be written beside them as the SDMX distribution
 * expects, and messages validated with xmllint.
 */
export async function schemaDirectory(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'sdmx-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(OFFICIAL, dir, { recursive: true });
  let n = 0;

  /** xmllint's verdict on `xml` against SDMXMessage.xsd, plus `dsdSchema` (a structure-specific schema) when given. */
  async function validate(xml: string, dsdSchema?: { namespace: string; text: string }): Promise<{ ok: boolean; output: string }> {
    n += 1;
    const message = join(dir, `message-${n}.xml`);
    await writeFile(message, xml);
    let schema = join(dir, 'SDMXMessage.xsd');
    if (dsdSchema) {
      await writeFile(join(dir, `dsd-${n}.xsd`), dsdSchema.text);
      schema = join(dir, `all-${n}.xsd`);
      await writeFile(
        schema,
        `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
          `<xs:import namespace="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" schemaLocation="SDMXMessage.xsd"/>` +
          `<xs:import namespace="${dsdSchema.namespace}" schemaLocation="dsd-${n}.xsd"/></xs:schema>`,
      );
    }
    try {
      const { stderr } = await run('xmllint', ['--noout', '--nonet', '--schema', schema, message], { maxBuffer: 64 * 1024 * 1024 });
      return { ok: true, output: stderr };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr ?? error).slice(0, 4000) };
    }
  }

  /** Runs an R script with rsdmx loaded; `files` are written to the directory first and named by path in the script. */
  async function rsdmx(script: string, files: Record<string, string>): Promise<string> {
    const paths: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) {
      paths[name] = join(dir, name);
      await writeFile(paths[name], text);
    }
    const body = Object.entries(paths).reduce((s, [name, path]) => s.replaceAll(`{${name}}`, path), script);
    const { stdout } = await run('Rscript', ['-e', `suppressPackageStartupMessages(library(rsdmx)); ${body}`], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  return { dir, validate, rsdmx };
}
