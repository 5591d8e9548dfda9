/**
 * Milliseconds until playback reaches `fragStartSec` (or the end of the buffer, if sooner): the
 * deadline by which a fragment must be in hls.js's hands. 0 when nothing is buffered where playback
 * is or will start (the first fragment, a seek out of the buffer), and while a page that has played
 * waits for data (a seek, a stall): those loads never wait for peers.
 *
 * Before the first frame ever, a fragment asked with the first one buffered is due when playback,
 * starting now at that buffer, reaches it: a joiner's second fragment has about a segment's
 * duration, time for an urgent try at a peer it is connecting to (not the full P2P wait: that
 * starts at minP2pSlackMs). The player may not have moved the playhead there yet (hls.js seeks to
 * its start position after asking for the second fragment), so the buffer counted is the one
 * holding the playhead or, failing that, the first one after it; and hls.js asks for the second
 * fragment before the first is appended, so `handed`, the last fragment handed to the player,
 * stands in for a buffer still empty.
 */
export function msUntilNeeded(media: HTMLMediaElement | null, fragStartSec: number, handed?: MediaRange): number {
  const span = media ? playableSpan(media, handed) : undefined;
  if (!media || span === undefined) return 0;
  const aheadSec = Math.max(0, Math.min(span.end, fragStartSec > span.start ? fragStartSec : span.end) - span.start);
  const rate = media.paused ? 1 : Math.max(0.1, media.playbackRate);
  return (aheadSec * 1000) / rate;
}

/** From where playback is (or will start, before the first frame ever) to the end of that buffer; undefined when due at once. */
function playableSpan(media: HTMLMediaElement, handed: MediaRange | undefined): MediaRange | undefined {
  const t = media.currentTime;
  if (media.played.length === 0 && media.readyState < 2) {
    const range = startRange(media, t) ?? (handed !== undefined && handed.end > t ? handed : undefined);
    return range === undefined ? undefined : { start: Math.max(t, range.start), end: range.end };
  }
  if (media.readyState < 2) return undefined;
  const end = bufferEndAt(media, t);
  return end === undefined ? undefined : { start: t, end };
}

/** A span of media time, seconds. */
export interface MediaRange {
  readonly start: number;
  readonly end: number;
}

/** The buffered range holding `t`, else the first one after it: where playback will start. */
function startRange(media: HTMLMediaElement, t: number): MediaRange | undefined {
  const buffered = media.buffered;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.end(i) >= t) return { start: buffered.start(i), end: buffered.end(i) };
  }
  return undefined;
}

/** The end of the buffered range that holds `t` (0.1 s of slack before its start), or undefined when `t` is not buffered. */
export function bufferEndAt(media: HTMLMediaElement, t: number): number | undefined {
  const buffered = media.buffered;
  let bufferEnd: number | undefined;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= t + 0.1 && buffered.end(i) >= t) bufferEnd = buffered.end(i);
  }
  return bufferEnd;
}
