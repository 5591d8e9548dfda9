/**
 * Up to `max` distinct random ids of `ids` other than `excludeId`, in random order. Small or
 * nearly-all samples shuffle a copy; large swarms pick random indices, O(max). `excludeIsMember`
 * says whether `excludeId` is among `ids` (the caller's index knows it in O(1)).
 */
export function sampleOthers(ids: readonly string[], excludeId: string, excludeIsMember: boolean, max: number, random: () => number): string[] {
  const want = Math.min(max, ids.length - (excludeIsMember ? 1 : 0));
  if (want <= 0) return [];
  if (ids.length <= want * 4) {
    const pool = ids.filter((id) => id !== excludeId);
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      const picked = pool[j] as string;
      pool[j] = pool[i] as string;
      pool[i] = picked;
    }
    return pool.slice(0, want);
  }
  const picked = new Set<string>();
  while (picked.size < want) {
    const id = ids[Math.floor(random() * ids.length)];
    if (id !== undefined && id !== excludeId) picked.add(id);
  }
  return [...picked];
}
