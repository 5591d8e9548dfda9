/**
 * Numeric engine settings written as text, `name=value,name=value`: what tools take for an
 * experiment (bench:live's and the simulator's `--engine`, the demo page's `engine` param). One
 * parser, as strict as the engine: names of its numeric settings only, each once, finite numbers,
 * and values the engine's config check accepts.
 */
import { engineDefaults, resolveEngineConfig } from './config.js';

/** More entries than EngineConfig has numeric settings is a mistake, not an experiment. */
const MAX_SETTINGS = 64;

/** The settings in `text` (empty text: none); throws an Error naming the entry at fault. */
export function parseEngineSettings(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (text === '') return out;
  const parts = text.split(',');
  if (parts.length > MAX_SETTINGS) throw new Error(`engine settings: at most ${MAX_SETTINGS}, got ${parts.length}`);
  const numeric = new Set(Object.entries(engineDefaults).flatMap(([name, value]) => (typeof value === 'number' ? [name] : [])));
  for (const part of parts) {
    const [name = '', value = '', ...rest] = part.split('=');
    const n = Number(value);
    if (rest.length > 0 || value.trim() === '' || !Number.isFinite(n)) throw new Error(`engine settings are name=number pairs separated by commas, got ${JSON.stringify(part)}`);
    if (!numeric.has(name)) throw new Error(`the engine has no numeric setting ${JSON.stringify(name)}`);
    if (Object.hasOwn(out, name)) throw new Error(`engine settings: ${name} given twice`);
    out[name] = n;
  }
  resolveEngineConfig({ ...out, trackerUrl: 'ws://check.invalid/', swarmId: 'check' });
  return out;
}
