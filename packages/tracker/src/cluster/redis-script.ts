/**
 * A Lua script run by its SHA1 (EVALSHA): the script's text (hundreds of bytes) is not sent, nor
 * hashed by Redis, on every call. At 50,000 peers over 3 nodes, sending the text with each EVAL was
 * the largest single cost of a node's Redis traffic. After a NOSCRIPT reply (Redis restarted, or its
 * script cache was flushed) the call goes once as EVAL, which caches the script again.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export class RedisScript {
  readonly sha1: string;

  constructor(readonly lua: string) {
    this.sha1 = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script with one key and its arguments. */
  async run(redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha1, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, 1, key, ...args);
    }
  }
}
