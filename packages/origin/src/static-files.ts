import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/** Content types of the files a demo page is made of; anything else is application/octet-stream. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  body: Uint8Array;
  contentType: string;
}

/**
 * The file a decoded URL path names inside `root`, or undefined if the path could leave it
 * ('..' segments, NUL bytes). A path ending in '/' names that directory's index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  if (!urlPath.startsWith('/') || urlPath.includes('\0') || urlPath.includes('\\')) return undefined;
  const segments = urlPath.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  const base = resolve(root);
  const full = resolve(base, `.${urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath}`);
  return full.startsWith(base + sep) ? full : undefined;
}

/** Reads a static file, or undefined if it does not exist, is not a regular file, or escapes root (also by symlink). */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  const path = resolveStaticPath(root, urlPath);
  if (path === undefined) return undefined;
  try {
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
    if (!real.startsWith(realRoot + sep)) return undefined;
    // A directory without a trailing '/' is not served: relative URLs in its index.html would break.
    if (!(await stat(real)).isFile()) return undefined;
    const contentType = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
    return { body: new Uint8Array(await readFile(real)), contentType };
  } catch {
    return undefined; // missing or unreadable: a plain 404
  }
}
