import type { FieldError } from './app-error.js';

/** A body field that names a code its codelist or table does not have. */
export function unknownCode(pointer: string, value: string, list: string): FieldError {
  return {
    location: 'body',
    pointer,
    code: 'unknown-code',
    detail: {
      id: `"${value}" tidak ada dalam daftar ${list}`,
      en: `"${value}" is not in ${list}`,
    },
  };
}

export function inconsistent(pointer: string, detail: { id: string; en: string }): FieldError {
  return { location: 'body', pointer, code: 'inconsistent', detail };
}
