/**
 * Sets `key` in `map` as its newest entry (a Map keeps insertion order) and forgets the oldest
 * entry once the map holds more than `maxSize`: the bound every per-peer table keeps against a
 * peer that names ever new things.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxSize: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > maxSize) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
