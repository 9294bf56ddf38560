import { posix } from 'node:path';

/**
 * The few things read from a workbook's XML before exceljs sees it: the sheet list, where each
 * sheet's part is, and the merged ranges of the sheet to read. Plus the rewrite that makes the
 * XML safe for exceljs to decode chunk by chunk.
 */

export interface SheetListing {
  name: string;
  hidden: boolean;
  /** Relationship id of the sheet's part. */
  relationship: string | undefined;
}

// No sheet or relationship tag a spreadsheet program writes comes near this; a longer one is
// cut, so a hostile part cannot make the scan hold or rescan it.
const MAX_TAG_CHARS = 64 * 1024;

const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name] ?? whole;
    const code = hex ? Number.parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function attributes(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) found.set(m[1] ?? '', decodeEntities(m[2] ?? m[3] ?? ''));
  return found;
}

/** Attributes of every `local` element, in document order, namespace prefix or not. */
async function elements(xml: AsyncIterable<Buffer>, local: string): Promise<Map<string, string>[]> {
  // `<` never occurs inside an attribute value or text, so markup always starts at one: all
  // before the last `<` seen is complete and can be scanned once.
  const tag = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${local}(?=[\\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>`, 'g');
  const found: Map<string, string>[] = [];
  const scan = (text: string) => {
    for (const m of text.matchAll(tag)) found.push(attributes(m[1] ?? ''));
  };
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of xml) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const open = text.lastIndexOf('<');
    if (open > 0) {
      scan(text.slice(0, open));
      carry = text.slice(open);
    } else {
      carry = open === 0 ? text : '';
    }
    if (carry.length > MAX_TAG_CHARS) carry = carry.slice(0, MAX_TAG_CHARS);
  }
  scan(carry + decoder.decode());
  return found;
}

/** The sheets of xl/workbook.xml, in tab order. */
export async function listSheets(xml: AsyncIterable<Buffer>): Promise<SheetListing[]> {
  return (await elements(xml, 'sheet')).map((a) => {
    const state = a.get('state');
    const relationship = a.get('r:id') ?? [...a].find(([key]) => key.endsWith(':id'))?.[1];
    return { name: a.get('name') ?? '', hidden: state === 'hidden' || state === 'veryHidden', relationship };
  });
}

/** Relationship id → part name, from xl/_rels/workbook.xml.rels. */
export async function workbookRelationships(xml: AsyncIterable<Buffer>): Promise<Map<string, string>> {
  const parts = new Map<string, string>();
  for (const a of await elements(xml, 'Relationship')) {
    const id = a.get('Id');
    const target = a.get('Target');
    if (id === undefined || target === undefined) continue;
    const part = target.startsWith('/') ? posix.normalize(target).slice(1) : posix.normalize(posix.join('xl', target));
    if (!part.startsWith('../')) parts.set(id, part);
  }
  return parts;
}

const NON_ASCII = /[^\x00-\x7f]/gu;

/**
 * The XML with every character past ASCII written as a character reference. exceljs decodes
 * each chunk it reads on its own (exceljs#2063), which garbles a character split between two
 * chunks; ASCII cannot be split. References are XML's own escape for text and attribute
 * values; only a name that is not ASCII (no SpreadsheetML element has one) would break.
 * `watch` sees the rewritten text as it passes.
 */
export async function* asciiXml(xml: AsyncIterable<Buffer>, watch?: (text: string) => void): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder();
  function* emit(text: string): Generator<Buffer> {
    if (text.length === 0) return;
    const ascii = text.replace(NON_ASCII, (c) => `&#${c.codePointAt(0)};`);
    watch?.(ascii);
    yield Buffer.from(ascii, 'latin1');
  }
  for await (const chunk of xml) yield* emit(decoder.decode(chunk, { stream: true }));
  yield* emit(decoder.decode());
}

// Merges are listed after the rows, and exceljs' streaming reader skips them (exceljs#3000).
// `<` is always escaped inside cell text, so a match can only be markup.
const MERGE_TAG = /<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)["']/g;

/** Calls `onMerge` for each merged range in sheet XML fed to it in pieces. */
export function mergeWatcher(onMerge: (range: string) => void): (text: string) => void {
  let tail = '';
  return (piece) => {
    const text = tail + piece;
    MERGE_TAG.lastIndex = 0;
    let consumed = 0;
    for (let m = MERGE_TAG.exec(text); m; m = MERGE_TAG.exec(text)) {
      onMerge(m[1] ?? '');
      consumed = MERGE_TAG.lastIndex;
    }
    tail = text.slice(Math.max(consumed, text.length - 256));
  };
}
