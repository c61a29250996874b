/**
 * Adapters that put a {@link TokenVerifier} in front of an HTTP application: one for
 * Express/Connect-style stacks, one for a plain `http.RequestListener`.
 *
 * Both answer a refused request themselves: 401 with `WWW-Authenticate: Bearer` and nothing
 * else, identical for every reason (the caller learns nothing about what was wrong), or 503
 * when the issuer's keys cannot be loaded (fail closed: nothing is accepted, and the status
 * tells the gateway and its operators that the origin, not the caller, has a problem).
 *
 * The verified claims are handed to the application as `req.gatewayClaims`. The token header
 * itself is removed from the request (`headers`, `headersDistinct`, `rawHeaders`) before any
 * other code can see it, unless `keepHeader` is set: the token is a bearer credential for
 * this origin until it expires, so it must not end up in application logs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { readHeader, rejectRequest, stripHeader } from "./middleware";
import type { TokenRejectReason, TokenVerifier } from "./token";

/** The header the gateway puts its token in unless configured otherwise. */
export const DEFAULT_TOKEN_HEADER = "authorization";

/** Options for {@link tokenMiddleware} and {@link protectWithToken}. */
export interface TokenMiddlewareOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Header carrying `Bearer <token>`. Default `authorization`. Use another (e.g.
   * `x-gateway-token`, set by the gateway policy's `header` option) when the end user's own
   * `Authorization` header must reach the application.
   */
  readonly header?: string;
  /** Leave the token header on the request for the application. Default false: it is removed. */
  readonly keepHeader?: boolean;
  /**
   * Called for every refused request, for the origin's logs or metrics. Receives the reason
   * and the request, from which the token header has already been removed (unless
   * `keepHeader`); never the token. Exceptions it throws are ignored.
   */
  readonly onReject?: (reason: TokenRejectReason, req: Req) => void;
}

/** A request that passed: the gateway token's verified claims, frozen. */
export type GatewayRequest<Req extends IncomingMessage = IncomingMessage> = Req & { gatewayClaims: Readonly<JWTPayload> };

/** An Express/Connect-style middleware: `(req, res, next)`. */
export type TokenMiddleware<Req extends IncomingMessage = IncomingMessage> = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerOf(options: TokenMiddlewareOptions<never>): string {
  const header = options.header ?? DEFAULT_TOKEN_HEADER;
  if (typeof header !== "string" || !HEADER_NAME.test(header)) throw new TypeError("gatelock token middleware: `header` must be a valid HTTP header name");
  return header.toLowerCase();
}

/**
 * Express/Connect-style middleware: calls `next()` only when the request carries an
 * accepted gateway token, with its claims in `req.gatewayClaims`; otherwise answers 401
 * (or 503 when the issuer's keys cannot be loaded) and does not call `next`.
 *
 * @example
 * app.use(tokenMiddleware(verifier, { onReject: (reason, req) => log.warn({ reason, path: req.url }) }));
 */
export function tokenMiddleware<Req extends IncomingMessage = IncomingMessage>(verifier: TokenVerifier, options: TokenMiddlewareOptions<Req> = {}): TokenMiddleware<Req> {
  const header = headerOf(options);
  return (req, res, next) => {
    void gate(verifier, header, options, req, res).then((accepted) => {
      // Outside gate's error handling on purpose: the rest of the stack handles its own errors.
      if (accepted) next();
    });
  };
}

/**
 * Wraps a plain Node request listener so it only runs for requests carrying an accepted
 * gateway token; others are answered 401 (or 503 when the issuer's keys cannot be loaded).
 *
 * @example
 * http.createServer(protectWithToken(verifier, (req, res) => res.end(`hello ${req.gatewayClaims.sub}`))).listen(8080);
 */
export function protectWithToken<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  verifier: TokenVerifier,
  handler: (req: GatewayRequest<Req>, res: Res) => unknown,
  options: TokenMiddlewareOptions<Req> = {},
): (req: Req, res: Res) => void {
  const header = headerOf(options);
  return (req, res) => {
    void gate(verifier, header, options, req, res).then((accepted) => {
      if (accepted) handler(req as GatewayRequest<Req>, res);
    });
  };
}

/** Verify, strip, and answer refusals. Resolves to whether the request may proceed; never rejects. */
async function gate<Req extends IncomingMessage>(verifier: TokenVerifier, header: string, options: TokenMiddlewareOptions<Req>, req: Req, res: ServerResponse): Promise<boolean> {
  let reason: TokenRejectReason;
  try {
    const presented = readHeader(req, header);
    // Strip before awaiting anything, so no other code ever observes the token.
    if (!options.keepHeader) stripHeader(req, header);
    const result = await verifier.verify(presented);
    if (result.ok) {
      Object.defineProperty(req, "gatewayClaims", { value: result.payload, enumerable: true, configurable: true, writable: false });
      return true;
    }
    reason = result.reason;
  } catch {
    // verify() does not throw; if anything here does, refuse rather than let the request through.
    reason = "unavailable";
  }
  rejectRequest(req, res, reason, options.onReject, "Bearer");
  return false;
}

