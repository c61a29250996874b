/**
 * What the model accepts in a URL (pure). Parsing is WHATWG `URL`'s, so the host judged here
 * is the host a client will connect to: `https://dev.zuplo.com@evil.example` is evil.example.
 */

/** Zuplo's Developer API: the one host the API key and the gateway's secrets may be sent to. */
export const ZUPLO_API_HOST = "dev.zuplo.com";

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function isLoopback(url: string): boolean {
  const u = parse(url);
  if (!u) return false;
  const host = u.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function isHttpsOrLoopback(url: string): boolean {
  const u = parse(url);
  return u !== undefined && (u.protocol === "https:" || (u.protocol === "http:" && isLoopback(url)));
}

/** A user name or password in the authority (`https://user:pass@host`): a credential in a URL. */
export function hasUserinfo(url: string): boolean {
  const u = parse(url);
  return u !== undefined && (u.username !== "" || u.password !== "");
}

/** A query string or fragment, where tokens and keys tend to be pasted. */
export function hasQueryOrFragment(url: string): boolean {
  const u = parse(url);
  return u !== undefined && (u.search !== "" || u.hash !== "" || /[?#]/.test(url));
}

/** `host[:port]` as a client would connect to it, lower-cased; undefined when unparseable. */
export function hostOf(url: string): string | undefined {
  return parse(url)?.host.toLowerCase();
}

export function isZuploApiUrl(url: string): boolean {
  const u = parse(url);
  return u !== undefined && u.protocol === "https:" && u.host.toLowerCase() === ZUPLO_API_HOST;
}
