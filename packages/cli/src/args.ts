export interface ParsedArgs {
  command: string | undefined;
  /** The last value of each option. */
  options: Map<string, string>;
  /** Every value of each option, in order, for repeatable ones (--stream A --stream B). */
  lists: Map<string, string[]>;
}

/** Minimal `--name value` / `--flag` parser: the CLI has few options, each checked where it is used. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const set = (name: string, value: string): void => {
    options.set(name, value);
    lists.set(name, [...(lists.get(name) ?? []), value]);
  };
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split('=', 2);
      const next = argv[i + 1];
      if (inline !== undefined) set(name, inline);
      else if (next !== undefined && !next.startsWith('--')) {
        set(name, next);
        i++;
      } else set(name, 'true');
    } else if (command === undefined) command = arg;
    else throw new Error(`unexpected argument "${arg}"`);
  }
  return { command, options, lists };
}

export function intOption(options: Map<string, string>, name: string, fallback: number): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`--${name} must be a port number, got "${raw}"`);
  return value;
}
