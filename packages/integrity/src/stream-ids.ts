/**
 * The swarm of a stream: its master (or lone media) playlist URL without query string or fragment.
 * The same rule as the player's swarmIdFromUrl (packages/hlsjs), copied so Node code need not
 * import the browser package; rendition ids come from @swarmcast/protocol's renditionIdFromUrl.
 */
export function swarmIdFromUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
