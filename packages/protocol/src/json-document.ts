import * as v from 'valibot';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';
import { clip, formatPath, utf8Length } from './tracker-messages.js';

/** The error codes and wording of one kind of JSON document. */
export interface DocumentKind {
  /** e.g. 'VOD list', for the error messages. */
  readonly name: string;
  readonly tooLarge: ProtocolErrorCode;
  readonly notJson: ProtocolErrorCode;
  readonly invalid: ProtocolErrorCode;
}

/** Parses a JSON document fetched over HTTP: size checked before JSON.parse, then the schema. Throws ProtocolError. */
export function parseJsonDocument<S extends v.GenericSchema>(text: string, limitBytes: number, schema: S, kind: DocumentKind): v.InferOutput<S> {
  if (text.length > limitBytes || (text.length * 3 > limitBytes && utf8Length(text, limitBytes) > limitBytes)) {
    throw new ProtocolError(kind.tooLarge, `${kind.name} larger than ${limitBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError(kind.notJson, `${kind.name} is not JSON`, { cause });
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = clip(formatPath(issue.path), 128);
    throw new ProtocolError(kind.invalid, `${kind.name} invalid${path ? ` at ${path}` : ''}: ${clip(issue.message, 256)}`);
  }
  return result.output;
}
