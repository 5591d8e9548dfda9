/**
 * Whether a new upload may join ours, given what the uplink already holds and its rate: the pure
 * part of PeerPool's admission (which gathers the uploads and measures the uplink).
 */
import type { UploadRefusal } from './stats.js';
import { compareRanks, type QueuedUpload } from './uploader.js';

/** The uplink as admission sees it. */
export interface UplinkState {
  readonly nowMs: number;
  /** Time one byte takes on the uplink, at its measured rate. */
  readonly msPerByte: number;
  /** What every channel holds (it leaves first). */
  readonly bufferedBytes: number;
  /** Our uploads still to hand to a channel. */
  readonly queue: readonly QueuedUpload[];
  /** A first chunk that would wait longer than this is refused (EngineConfig.uploadAdmissionDelayMs). */
  readonly firstChunkLimitMs: number;
}

/**
 * With upload slots, uploads are served in turn in rank order (see UploadRank), so each finishes
 * when the bytes ranked before it and its own have left at the measured rate. `fresh` is admitted
 * where its rank puts it when it would finish before its requester stops waiting, its first chunk
 * would leave within the limit, and no upload admitted before it, due in time until now, would end
 * late for it.
 */
export function admitInTurn(uplink: UplinkState, fresh: QueuedUpload): UploadRefusal | undefined {
  const { nowMs, msPerByte } = uplink;
  const ordered = [...uplink.queue, fresh].sort((a, b) => compareRanks(a.rank, b.rank));
  // What the channels hold leaves first.
  let aheadBytes = uplink.bufferedBytes;
  let after = false;
  for (const upload of ordered) {
    const startMs = nowMs + aheadBytes * msPerByte;
    aheadBytes += upload.bytes;
    const doneMs = nowMs + aheadBytes * msPerByte;
    if (upload === fresh) {
      if (startMs - nowMs > uplink.firstChunkLimitMs) return 'firstChunk';
      if (doneMs > upload.dueMs) return 'deadline';
      after = true;
    } else if (after && doneMs > upload.dueMs && doneMs - fresh.bytes * msPerByte <= upload.dueMs) {
      // It would make an upload accepted earlier late: the requester came first.
      return 'deadline';
    }
  }
  return undefined;
}

/**
 * Without upload slots every upload shares the uplink, so one with `b` bytes left ends once every
 * upload sent min(its bytes, b) (the channels' buffers first), and a new one delays each other by
 * its own bytes at most. `channel`: the requester's own channel (what it holds) and how many
 * channels hold a backlog; `chunkBytes`, the size of the first chunk.
 */
export function admitShared(
  uplink: UplinkState,
  request: { readonly bytes: number; readonly dueMs: number },
  channel: { readonly ownBufferedBytes: number; readonly backlogged: number; readonly chunkBytes: number },
): UploadRefusal | undefined {
  const { nowMs, msPerByte, bufferedBytes, queue } = uplink;
  // Its first chunk waits for a round of chunks over the backlogged channels.
  const ownBytes = channel.ownBufferedBytes + channel.chunkBytes;
  const sharers = channel.backlogged + (channel.ownBufferedBytes > 0 ? 0 : 1);
  if (Math.min(ownBytes * sharers, bufferedBytes + ownBytes - channel.ownBufferedBytes) * msPerByte > uplink.firstChunkLimitMs) return 'firstChunk';
  const doneMs = (bytes: number, extraBytes: number): number => {
    let aheadBytes = bufferedBytes + Math.min(extraBytes, bytes);
    for (const upload of queue) aheadBytes += Math.min(upload.bytes, bytes);
    return nowMs + aheadBytes * msPerByte;
  };
  if (doneMs(request.bytes, request.bytes) > request.dueMs) return 'deadline';
  for (const upload of queue) {
    const beforeMs = doneMs(upload.bytes, 0);
    if (beforeMs <= upload.dueMs && beforeMs + Math.min(request.bytes, upload.bytes) * msPerByte > upload.dueMs) return 'deadline';
  }
  return undefined;
}
