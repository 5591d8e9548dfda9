/** Minimal `--name value` / `--flag` parser: the CLI has few options, each checked where it is used. */
export function parseArgs(argv: readonly string[]): { command: string | undefined; options: Map<string, string> } {
  const options = new Map<string, string>();
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split('=', 2);
      const next = argv[i + 1];
      if (inline !== undefined) options.set(name, inline);
      else if (next !== undefined && !next.startsWith('--')) {
        options.set(name, next);
        i++;
      } else options.set(name, 'true');
    } else if (command === undefined) command = arg;
    else throw new Error(`unexpected argument "${arg}"`);
  }
  return { command, options };
}

export function intOption(options: Map<string, string>, name: string, fallback: number): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`--${name} must be a port number, got "${raw}"`);
  return value;
}
