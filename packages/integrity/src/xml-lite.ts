/**
 * A small, strict XML element reader for MPD manifests: elements, attributes and text, nothing
 * else (no DTD, no processing of entities beyond the five predefined ones). Pure: runs in Node and
 * in browsers, so the authority and the players read an MPD the same way.
 */

export interface XmlElement {
  /** Local name (any namespace prefix dropped). */
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Text directly inside the element, trimmed (e.g. a BaseURL). */
  readonly text: string;
}

/** Deepest nesting read: an MPD needs ~6 levels. */
const MAX_DEPTH = 32;
/** Most elements read: bounds memory on hostile input. */
const MAX_ELEMENTS = 200_000;

interface Building {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(ref.slice(2), 16)));
    if (ref.startsWith('#')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(ref.slice(1), 10)));
    return ENTITIES[ref] ?? whole;
  });
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

const TAG = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const ATTR = /([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;

/** Parses `xml` into its root element; throws Error with a short reason on anything malformed. */
export function parseXml(xml: string): XmlElement {
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let i = 0;
  const close = (): void => {
    const done = stack.pop();
    if (done === undefined) throw new Error('unbalanced closing tag');
    const element: XmlElement = { name: done.name, attrs: done.attrs, children: done.children, text: done.text.trim() };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root === undefined) root = element;
    else throw new Error('more than one root element');
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    const text = xml.slice(i, textEnd);
    const top = stack.at(-1);
    if (top) top.text += decode(text);
    else if (text.trim() !== '') throw new Error('text outside the root element');
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw new Error('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!', lt)) throw new Error('DTDs and CDATA are not supported');
    TAG.lastIndex = lt;
    const m = TAG.exec(xml);
    if (!m) throw new Error(`malformed tag at offset ${lt}`);
    const [, slash = '', qname = '', attrText = '', selfClose = ''] = m;
    const name = localName(qname);
    if (slash === '/') {
      if (stack.at(-1)?.name !== name) throw new Error(`closing tag </${name}> does not match`);
      close();
    } else {
      if (root !== undefined) throw new Error('more than one root element');
      if (stack.length >= MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH}`);
      if (++count > MAX_ELEMENTS) throw new Error(`more than ${MAX_ELEMENTS} elements`);
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(ATTR)) attrs[localName(a[1] ?? '')] = decode(a[2] ?? a[3] ?? '');
      stack.push({ name, attrs, children: [], text: '' });
      if (selfClose === '/') close();
    }
    i = TAG.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)?.name ?? ''}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
