/**
 * Milliseconds until playback reaches `fragStartSec` (or the end of the buffer, if sooner): the
 * deadline by which a fragment must be in hls.js's hands. 0 when nothing is buffered at the playhead
 * (the first fragment, a seek out of the buffer), so those loads never wait for peers. With the
 * first fragment buffered but no frame shown yet (readyState < 2: playback about to start), the next
 * ones are due when playback, starting now, reaches them: a joiner's second and third fragments have
 * a few seconds, time for the swarm it is joining.
 */
export function msUntilNeeded(media: HTMLMediaElement | null, fragStartSec: number): number {
  if (!media) return 0;
  const t = media.currentTime;
  const buffered = media.buffered;
  let bufferEnd: number | undefined;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= t + 0.1 && buffered.end(i) >= t) bufferEnd = buffered.end(i);
  }
  if (bufferEnd === undefined) return 0;
  const aheadSec = Math.max(0, Math.min(bufferEnd, fragStartSec > t ? fragStartSec : bufferEnd) - t);
  const rate = media.paused ? 1 : Math.max(0.1, media.playbackRate);
  return (aheadSec * 1000) / rate;
}
