/** randomId(): the engine's instance id (sent in HELLO), drawn from the random port. */
import type { EnginePorts } from './ports.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** 16 characters of [A-Za-z0-9_-], drawn from `random` (the simulator's seeded one there). */
export function randomId(random: EnginePorts['random']): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[Math.floor(random.random() * ID_ALPHABET.length)] ?? 'x';
  return id;
}
