import * as v from 'valibot';
import { ProtocolError } from './errors.js';
import { SegmentRecordSchema } from './integrity.js';
import { ID_PATTERN, LIMITS } from './limits.js';
import { clip, formatPath, utf8Length } from './tracker-messages.js';

/**
 * The latest signed records of one live rendition, served over HTTP (GET /integrity/live) by the
 * signing sidecar, or by a CDN in front of it. It is how records reach players while the tracker is
 * down: each record carries its own signature, so the document needs none and its server needs no
 * trust; a player checks every record as if the tracker had sent it.
 */

/** Most records in one document (as in one tracker `records` message). */
export const MAX_LIVE_RECORDS = LIMITS.maxRecordsPerMessage;
/** Largest document, in UTF-8 bytes: checked before JSON.parse. */
export const MAX_LIVE_RECORDS_BYTES = 64 * 1024;

export const LiveRecordsSchema = v.strictObject({
  swarm: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxSwarmIdLength)),
  rendition: v.pipe(v.string(), v.regex(ID_PATTERN)),
  /** Oldest first. */
  records: v.pipe(v.array(SegmentRecordSchema), v.maxLength(MAX_LIVE_RECORDS)),
});
export type LiveRecords = v.InferOutput<typeof LiveRecordsSchema>;

/** Parses a document (the body of GET /integrity/live). Throws ProtocolError on anything invalid. */
export function parseLiveRecords(text: string): LiveRecords {
  const limit = MAX_LIVE_RECORDS_BYTES;
  if (text.length > limit || (text.length * 3 > limit && utf8Length(text, limit) > limit)) {
    throw new ProtocolError('LIVE_RECORDS_TOO_LARGE', `live records larger than ${limit} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('LIVE_RECORDS_NOT_JSON', 'live records are not JSON', { cause });
  }
  const result = v.safeParse(LiveRecordsSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = clip(formatPath(issue.path), 128);
    throw new ProtocolError('LIVE_RECORDS_INVALID', `live records invalid${path ? ` at ${path}` : ''}: ${clip(issue.message, 256)}`);
  }
  for (const record of result.output.records) {
    if (record.rendition !== result.output.rendition) {
      throw new ProtocolError('LIVE_RECORDS_INVALID', `live records of rendition ${result.output.rendition} hold one of ${record.rendition}`);
    }
  }
  return result.output;
}
