/**
 * Adapters that put a {@link SharedSecretVerifier} in front of an HTTP application: one
 * for Express/Connect-style stacks, one for a plain `http.RequestListener`.
 *
 * Both answer a refused request themselves, identically for every reason (the caller must
 * not learn whether the header was missing or wrong), and both remove the secret header
 * from the request before any other code, including the `onReject` hook, can see it, so
 * that it cannot end up in application logs or error reports.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RejectReason, SharedSecretVerifier } from "./shared-secret";

/** Options for {@link sharedSecretMiddleware} and {@link protect}. */
export interface SharedSecretMiddlewareOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Called for every refused request, for the origin's logs or metrics. Receives the reason
   * and the request, from which the secret header has already been removed; it is never
   * given the presented value. Exceptions it throws are ignored.
   */
  readonly onReject?: (reason: RejectReason, req: Req) => void;
}

/** An Express/Connect-style middleware: `(req, res, next)`. */
export type SharedSecretMiddleware<Req extends IncomingMessage = IncomingMessage> = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Express/Connect-style middleware: calls `next()` only when the request carries an
 * accepted secret; otherwise answers 401 (or 503 when the secrets cannot be loaded) and
 * does not call `next` at all.
 *
 * @example
 * app.use(sharedSecretMiddleware(verifier, { onReject: (reason, req) => log.warn({ reason, path: req.url }) }));
 */
export function sharedSecretMiddleware<Req extends IncomingMessage = IncomingMessage>(
  verifier: SharedSecretVerifier,
  options: SharedSecretMiddlewareOptions<Req> = {},
): SharedSecretMiddleware<Req> {
  return (req, res, next) => {
    void gate(verifier, options, req, res).then((accepted) => {
      // Outside gate's error handling on purpose: errors from the rest of the stack are
      // the stack's to handle, not a reason to answer 503.
      if (accepted) next();
    });
  };
}

/**
 * Wraps a plain Node request listener so it only runs for requests carrying an accepted
 * secret; others are answered 401 (or 503 when the secrets cannot be loaded).
 *
 * @example
 * http.createServer(protect(verifier, (req, res) => res.end("ok"))).listen(8080);
 */
export function protect<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  verifier: SharedSecretVerifier,
  handler: (req: Req, res: Res) => unknown,
  options: SharedSecretMiddlewareOptions<Req> = {},
): (req: Req, res: Res) => void {
  return (req, res) => {
    void gate(verifier, options, req, res).then((accepted) => {
      if (accepted) handler(req, res);
    });
  };
}

/** Verify, strip, and answer refusals. Resolves to whether the request may proceed; never rejects. */
async function gate<Req extends IncomingMessage>(
  verifier: SharedSecretVerifier,
  options: SharedSecretMiddlewareOptions<Req>,
  req: Req,
  res: ServerResponse,
): Promise<boolean> {
  let reason: RejectReason;
  try {
    const presented = readHeader(req, verifier.header);
    // Strip before awaiting anything, so no other code ever observes the value.
    stripHeader(req, verifier.header);
    const result = await verifier.verify(presented);
    if (result.ok) return true;
    reason = result.reason;
  } catch {
    // verify() does not throw; if anything here does, refuse rather than let the request through.
    reason = "unavailable";
  }
  rejectRequest(req, res, reason, options.onReject);
  return false;
}

/**
 * The presented value(s). Prefers `headersDistinct` (one entry per header line) so that a
 * duplicated header is seen as two values, falling back to `headers` for request objects
 * that do not have it (older runtimes, test doubles).
 */
export function readHeader(req: IncomingMessage, name: string): string | string[] | undefined {
  const distinct = (req as { headersDistinct?: NodeJS.Dict<string[]> }).headersDistinct;
  const fromDistinct = distinct?.[name];
  if (fromDistinct !== undefined) return fromDistinct.length === 1 ? fromDistinct[0] : fromDistinct;
  return req.headers[name];
}

/**
 * Remove the secret header from every view Node offers of the request headers: `headers`,
 * `headersDistinct` (both cached objects once read) and `rawHeaders`, which a logger
 * dumping "the raw request" would otherwise still print.
 */
export function stripHeader(req: IncomingMessage, name: string): void {
  delete req.headers[name];
  const distinct = (req as { headersDistinct?: NodeJS.Dict<string[]> }).headersDistinct;
  if (distinct) delete distinct[name];
  const raw = (req as { rawHeaders?: string[] }).rawHeaders;
  if (Array.isArray(raw)) {
    for (let i = raw.length - 2; i >= 0; i -= 2) {
      if (typeof raw[i] === "string" && raw[i]!.toLowerCase() === name) raw.splice(i, 2);
    }
  }
}

/**
 * Tell the hook (if any), then answer a refused request: 503 when the verifier could not
 * decide, else 401. The body is empty and the headers are the same for every reason, so the
 * response says nothing about what was wrong; `no-store` keeps a refusal from being cached by
 * anything in between and replayed to a legitimate caller. `challenge` is a
 * `WWW-Authenticate` value for 401s.
 */
export function rejectRequest<Req, Reason extends string>(
  req: Req,
  res: ServerResponse,
  reason: Reason,
  onReject?: (reason: Reason, req: Req) => void,
  challenge?: string,
): void {
  if (onReject) {
    try {
      onReject(reason, req);
    } catch {
      // A broken logging hook must not change the answer or crash the process.
    }
  }
  if (res.headersSent || res.writableEnded) {
    // Something else already answered; all that is left is not to hang the connection.
    if (!res.writableEnded) res.end();
    return;
  }
  const status = reason === "unavailable" ? 503 : 401;
  res.statusCode = status;
  if (status === 401 && challenge) res.setHeader("www-authenticate", challenge);
  res.setHeader("cache-control", "no-store");
  res.setHeader("content-length", "0");
  res.end();
}
