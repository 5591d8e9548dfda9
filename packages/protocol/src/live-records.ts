import * as v from 'valibot';
import { ProtocolError } from './errors.js';
import { SegmentRecordSchema } from './integrity.js';
import { ID_PATTERN, LIMITS } from './limits.js';
import { parseJsonDocument, type DocumentKind } from './json-document.js';

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

const LIVE_RECORDS: DocumentKind = { name: 'live records', tooLarge: 'LIVE_RECORDS_TOO_LARGE', notJson: 'LIVE_RECORDS_NOT_JSON', invalid: 'LIVE_RECORDS_INVALID' };

/** Parses a document (the body of GET /integrity/live). Throws ProtocolError on anything invalid. */
export function parseLiveRecords(text: string): LiveRecords {
  const doc = parseJsonDocument(text, MAX_LIVE_RECORDS_BYTES, LiveRecordsSchema, LIVE_RECORDS);
  for (const record of doc.records) {
    if (record.rendition !== doc.rendition) {
      throw new ProtocolError('LIVE_RECORDS_INVALID', `live records of rendition ${doc.rendition} hold one of ${record.rendition}`);
    }
  }
  return doc;
}
