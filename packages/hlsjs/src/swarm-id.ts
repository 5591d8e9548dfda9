/** The swarm of a stream: its playlist URL without query string or fragment (tokens differ per viewer). */
export function swarmIdFromUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
