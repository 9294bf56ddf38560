/** Secrets must never reach the logs, whichever way a client sends them. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.client_secret',
  '*.secret',
  '*.access_token',
  '*.password',
];
