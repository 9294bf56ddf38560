import { buildOpenapiFiles } from '../openapi-document.js';
import { writeOrCheck } from './generated-files.js';

/**
 * `npm run openapi` writes openapi/openapi.json and .yaml from the routes;
 * `npm run openapi:check` fails when the checked-in files differ from what the code says.
 */
await writeOrCheck(
  process.argv[2],
  {
    dir: new URL('../../../openapi/', import.meta.url),
    label: 'openapi/',
    what: 'OpenAPI files',
    command: 'npm run openapi',
    generate: buildOpenapiFiles,
  },
  'openapi-cli',
);
