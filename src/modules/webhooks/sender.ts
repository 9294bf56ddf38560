import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isNonPublicAddress, urlProblem } from './target-policy.js';

export interface SendLimits {
  allowPrivateTargets: boolean;
  /** The whole exchange: connecting, sending, and reading the answer. */
  timeoutMs: number;
  /** Bytes of the answer read (and kept, for the delivery log) before the rest is dropped. */
  maxResponseBytes: number;
}

export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string; gone?: boolean };

export class TargetRefused extends Error {}

/**
 * The addresses a URL's host stands for, all of them public unless private targets are allowed:
 * one non-public answer is enough to refuse, since the connection could take any of them.
 */
export async function resolveTarget(url: URL, allowPrivateTargets: boolean): Promise<{ address: string; family: number }> {
  const problem = urlProblem(url);
  if (problem) throw new TargetRefused(`URL not allowed (${problem})`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true }).catch(() => []);
  if (addresses.length === 0) throw new TargetRefused(`host ${host} does not resolve`);
  if (!allowPrivateTargets) {
    const refused = addresses.find((a) => isNonPublicAddress(a.address));
    if (refused) throw new TargetRefused(`host ${host} resolves to a non-public address (${refused.address})`);
  }
  return addresses[0]!;
}

/**
 * POSTs one signed message. The connection goes to the address that was checked (the lookup is
 * pinned, so a second DNS answer cannot point it elsewhere), redirects are not followed (a 3xx
 * is a failure), and the answer is read only up to the limit.
 */
export async function sendMessage(target: string, headers: Record<string, string>, body: string, limits: SendLimits): Promise<SendResult> {
  const url = new URL(target);
  let pinned: { address: string; family: number };
  try {
    pinned = await resolveTarget(url, limits.allowPrivateTargets);
  } catch (err) {
    return { ok: false, status: null, error: err instanceof TargetRefused ? err.message : 'target lookup failed' };
  }
  const pinnedLookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup: pinnedLookup,
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'satu-data-exchange-webhooks/1' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > limits.maxResponseBytes) response.destroy();
        });
        const done = () => {
          if (status >= 200 && status < 300) finish({ ok: true, status });
          else finish({ ok: false, status, error: status >= 300 && status < 400 ? `redirect (${status}) not followed` : `answered ${status}`, gone: status === 410 });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, status: null, error: `no answer within ${limits.timeoutMs} ms` });
    }, limits.timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: `connection failed (${err.code ?? 'error'})` }));
    request.end(body);
  });
}
