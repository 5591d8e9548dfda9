import { hash32 } from './hash32.js';

/**
 * The rendition id of a media playlist, the same for every viewer and for the integrity authority:
 * 'r' + hash32 of its absolute URL without query string or fragment (tokens differ per viewer), base 36.
 */
export function renditionIdFromUrl(mediaPlaylistUrl: string): string {
  const cut = mediaPlaylistUrl.search(/[?#]/);
  const bare = cut === -1 ? mediaPlaylistUrl : mediaPlaylistUrl.slice(0, cut);
  return `r${hash32(bare).toString(36)}`;
}
