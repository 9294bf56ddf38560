import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';
import type { Language } from './language.js';

/** One entry of a problem's `errors` list: where in the request, what, and why. */
export interface FieldError {
  /** Which part of the request: body, query, path or header. */
  location: 'body' | 'query' | 'path' | 'header';
  /** JSON pointer into that part, e.g. `/jurisdiction_region_code`. */
  pointer: string;
  /** Stable machine-readable reason, e.g. `required`, `unknown-code`. */
  code: string;
  detail: { id: string; en: string };
}

/** An error that maps to a problem+json response with a stable code. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly errors: FieldError[] = [],
    /** Extra members some clients expect (e.g. OAuth2's `error`, a transition's `allowed_actions`). */
    readonly extensions: Record<string, string | string[]> = {},
  ) {
    super(code);
    this.name = 'AppError';
    this.status = ERROR_CATALOG[code].status;
  }
}

export function interpolate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  request_id: string;
  errors?: { location: string; pointer: string; code: string; detail: string }[];
  [extension: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `urn:satu-data-exchange:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function toProblem(err: AppError, lang: Language, instance: string, requestId: string): ProblemBody {
  const entry = ERROR_CATALOG[err.code];
  return {
    type: problemType(err.code),
    title: entry.title[lang],
    status: entry.status,
    detail: interpolate(entry.detail[lang], err.params),
    instance,
    code: err.code,
    request_id: requestId,
    ...(err.errors.length > 0
      ? { errors: err.errors.map((e) => ({ location: e.location, pointer: e.pointer, code: e.code, detail: e.detail[lang] })) }
      : {}),
    ...err.extensions,
  };
}
