/** Just enough XML writing for SDMX-ML: escaped text and attributes, elements as strings. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(
    // Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks).
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g,
    '',
  );
}

/** ` name="value"` for each defined attribute, in the given order. */
export function attrs(values: Record<string, string | number | null | undefined>): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null) out += ` ${name}="${escapeXml(String(value))}"`;
  return out;
}

export function element(name: string, attributes: Record<string, string | number | null | undefined>, content?: string): string {
  return content === undefined || content === '' ? `<${name}${attrs(attributes)}/>` : `<${name}${attrs(attributes)}>${content}</${name}>`;
}

export const NS = {
  message: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message',
  structure: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure',
  common: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common',
  structurespecific: 'http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export interface MessageHeader {
  id: string;
  prepared: Date;
}

/** The header every SDMX-ML message opens with. */
export function header(h: MessageHeader, extra = ''): string {
  return `<mes:Header><mes:ID>${escapeXml(h.id)}</mes:ID><mes:Test>false</mes:Test><mes:Prepared>${h.prepared.toISOString()}</mes:Prepared><mes:Sender id="SATUDATA"/>${extra}</mes:Header>`;
}
