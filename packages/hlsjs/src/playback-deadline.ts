/**
 * Milliseconds until playback reaches `fragStartSec` (or the end of the buffer, if sooner): the
 * deadline by which a fragment must be in hls.js's hands. 0 at startup, after a seek, or when paused
 * before the first frame, so those loads never wait for peers.
 */
export function msUntilNeeded(media: HTMLMediaElement | null, fragStartSec: number): number {
  if (!media || media.readyState < 2) return 0;
  const t = media.currentTime;
  const bufferEnd = bufferEndAt(media, t);
  if (bufferEnd === undefined) return 0;
  const aheadSec = Math.max(0, Math.min(bufferEnd, fragStartSec > t ? fragStartSec : bufferEnd) - t);
  const rate = media.paused ? 1 : Math.max(0.1, media.playbackRate);
  return (aheadSec * 1000) / rate;
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
