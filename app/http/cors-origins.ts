/**
 * The CORS allow-list (CORS_ORIGINS): which browser origins may call the API.
 *
 * An entry is `*` (any origin: public-API mode), an exact origin (`https://blog.example.com`), or
 * a pattern with `*` for the port (`http://localhost:*`, any port, the default one included) or
 * for the leading subdomain labels (`https://*.example.com`). An origin is scheme, host and port
 * only, as browsers send it in the Origin header: an entry with a path or a trailing slash would
 * never match anything, so it is refused at startup instead of silently blocking every browser.
 */

export interface AllowedOrigins {
  /** True when `*` is listed: every origin may call, answered `Access-Control-Allow-Origin: *`. */
  readonly any: boolean;
  allows(origin: string): boolean;
}

const ENTRY = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?$/;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Why an entry is unusable, or undefined when it is a valid origin or pattern. */
export function originEntryProblem(entry: string): string | undefined {
  if (entry === '*') return undefined;
  if (!ENTRY.test(entry.toLowerCase())) {
    return `"${entry}" is not an origin (scheme://host[:port], no path; "*" allowed as the port or the leading subdomain)`;
  }
  return undefined;
}

function entryPattern(entry: string): RegExp {
  const match = ENTRY.exec(entry.toLowerCase());
  if (!match) throw new Error(originEntryProblem(entry));
  const [, scheme = '', wildcardSubdomain, host = '', port] = match;
  const subdomains = wildcardSubdomain ? '(?:[a-z0-9-]+\\.)+' : '';
  const portPart = port === '*' ? '(?::\\d{1,5})?' : port ? `:${port}` : '';
  return new RegExp(`^${scheme}://${subdomains}${escapeRegExp(host)}${portPart}$`);
}

/** Builds the matcher; entries must have passed originEntryProblem (config validates them). */
export function allowedOrigins(entries: readonly string[]): AllowedOrigins {
  const any = entries.includes('*');
  const patterns = entries.filter((e) => e !== '*').map(entryPattern);
  return {
    any,
    allows(origin) {
      if (any) return true;
      const candidate = origin.toLowerCase();
      return patterns.some((p) => p.test(candidate));
    },
  };
}
