import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp } from '../helpers/test-app.js';

/**
 * The pages a browser renders, loaded by headless Chromium over HTTP so that it meets their
 * real headers: the Content-Security-Policy must let Swagger UI run and the compliance report
 * show, and Chromium reports every resource the policy blocks on its console.
 */
const chromium = '/usr/bin/chromium';
const skip = existsSync(chromium) || process.env.CI ? false : 'Debian chromium is not installed (apt-get install chromium)';

t.test('the docs and the compliance page render under their Content-Security-Policy', { skip }, async (t) => {
  const ctx = await createTestApp(t);
  const { app } = ctx;
  const walidata = await ctx.login('walidata');
  const cycle = await app.inject({
    method: 'POST',
    url: '/v1/cycles',
    headers: walidata.auth,
    payload: { name: 'Siklus uji CSP', region: '65.71', reference_periods: ['2025'], opens_on: '2026-01-05', deadline: '2026-01-31' },
  });
  t.equal(cycle.statusCode, 201, cycle.body);
  // A letterhead with a logo: the page then holds a data: image, which its policy must allow.
  const logo = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
  const letterhead = await app.inject({ method: 'PUT', url: '/v1/regions/65.71/report-letterhead', headers: walidata.auth, payload: { office_name: 'PEMERINTAH KOTA TARAKAN', logo } });
  t.equal(letterhead.statusCode, 201, letterhead.body);

  // Each request goes through the app with the walidata's token added (a browser cannot be
  // given one on the command line), and its response goes back with every header.
  const server = createServer((req, res) => {
    void app.inject({ method: 'GET', url: req.url ?? '/', headers: { ...walidata.auth, accept: req.headers.accept ?? '*/*' } }).then((r) => {
      const { 'transfer-encoding': _chunked, ...headers } = r.headers;
      res.writeHead(r.statusCode, headers as OutgoingHttpHeaders).end(r.rawPayload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'sde-csp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const render = async (path: string) => {
    const { stdout, stderr } = await promisify(execFile)(
      chromium,
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--enable-logging=stderr', '--v=0', '--virtual-time-budget=15000', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `${base}${path}`,
      ],
      { timeout: 90_000, maxBuffer: 20 * 1024 * 1024 },
    );
    return { dom: stdout, blocked: stderr.split('\n').filter((line) => /Content Security Policy/i.test(line)) };
  };

  const docs = await render('/docs/');
  t.match(docs.dom, /Get an access token \(client credentials\)/, 'Swagger UI ran its scripts and loaded the document');
  t.same(docs.blocked, [], 'nothing on /docs was blocked by its policy');

  const report = await render(`/v1/cycles/${cycle.json().id as string}/compliance.html`);
  t.match(report.dom, /Siklus uji CSP/, 'the compliance page rendered');
  t.match(report.dom, /<img class="logo" src="data:image\/png;base64,/, 'with its logo');
  t.same(report.blocked, [], 'nothing on the compliance page was blocked by its policy');
});
