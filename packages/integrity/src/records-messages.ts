import { LIMITS } from '@swarmcast/protocol';
import type { SegmentRecord, ServerMessage } from '@swarmcast/protocol';

export type RecordsMessage = Extract<ServerMessage, { type: 'records' }>;

/** records of swarm as `records` messages of at most LIMITS.maxRecordsPerMessage each; none for none. */
export function recordsMessages(swarm: string, records: readonly SegmentRecord[]): RecordsMessage[] {
  const out: RecordsMessage[] = [];
  for (let i = 0; i < records.length; i += LIMITS.maxRecordsPerMessage) {
    out.push({ type: 'records', swarm, records: records.slice(i, i + LIMITS.maxRecordsPerMessage) });
  }
  return out;
}
