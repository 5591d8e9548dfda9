/** Runs every closer, even when one fails; then rethrows the first failure. */
export async function closeAll(closers: readonly (() => Promise<void> | void)[]): Promise<void> {
  const results = await Promise.allSettled(closers.map(async (close) => { await close(); }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw toError(failed.reason);
}

/** An Error for anything thrown. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-Error thrown: ${JSON.stringify(thrown)}`);
}
