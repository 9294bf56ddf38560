import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { buildOpenapiFiles } from '../openapi-document.js';

/**
 * `npm run openapi` writes openapi/openapi.json and .yaml from the routes;
 * `npm run openapi:check` fails when the checked-in files differ from what the code says.
 */
const mode = process.argv[2];
const files = await buildOpenapiFiles();
const root = new URL('../../../openapi/', import.meta.url);

if (mode === 'write') {
  await mkdir(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(new URL(name, root), text);
  process.stdout.write(`Wrote ${Object.keys(files).map((f) => `openapi/${f}`).join(', ')}\n`);
} else if (mode === 'check') {
  const drifted: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const current = await readFile(new URL(name, root), 'utf8').catch(() => '');
    if (current !== text) drifted.push(`openapi/${name}`);
  }
  if (drifted.length > 0) {
    process.stderr.write(`OpenAPI drift: ${drifted.join(', ')} differ from the code. Run \`npm run openapi\` and commit the result.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write('OpenAPI files match the code.\n');
  }
} else {
  process.stderr.write('Usage: openapi-cli write|check\n');
  process.exitCode = 2;
}
