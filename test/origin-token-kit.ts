/**
 * Test kit for the gateway-token verifier: real key pairs, real tokens minted with `jose`,
 * hand-crafted attack tokens, and a JWKS served by a real node:http server on 127.0.0.1
 * that counts every request and can be told to fail in the ways real endpoints do.
 */
import { createHmac } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { ZUPLO_ISSUER } from "../components/model/identity";

export const ISSUER = ZUPLO_ISSUER;
export const AUDIENCE = "https://ledger.internal.acme.example";
export const SUBJECT = "atcl_2fQ9xLr7TnC4vW1mZpK8sYbH";
export const CLAIMS = { account: "acme", project: "orders-api" } as const;

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function newKey(kid: string, alg = "RS256"): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The claims of a good Zuplo ID token for the ledger origin; override or drop (`undefined`) any of them. */
export function goodClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: SUBJECT,
    iat: now - 5,
    exp: now + 3600,
    account: CLAIMS.account,
    project: CLAIMS.project,
    deployment: "copper-bedbug-main-53c4947",
    environment_type: "production",
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims as JWTPayload;
}

/** Sign real claims with a real key (the header names the key's kid unless overridden). */
export async function mint(key: TestKey, claims: JWTPayload = goodClaims(), header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header }).sign(key.privateKey);
}

export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** A compact JWS from parts, with whatever header and signature an attacker likes. */
export function handCraft(header: object, claims: object, sign: (input: string) => string = () => ""): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${sign(input)}`;
}

/** HMAC-SHA256 signature with `secret`, as an HS256 token carries it. */
export function hs256(secret: string | Buffer): (input: string) => string {
  return (input) => createHmac("sha256", secret).update(input).digest("base64url");
}

export type JwksMode = "ok" | "error" | "hang" | "junk" | "huge" | "huge-chunked" | "redirect";

export interface JwksServer {
  readonly url: string;
  /** Requests received so far (every one, whatever the mode). */
  readonly requests: () => number;
  publish(...keys: TestKey[]): void;
  mode(mode: JwksMode): void;
  close(): Promise<void>;
}

export async function startJwksServer(...keys: TestKey[]): Promise<JwksServer> {
  let published = keys;
  let mode: JwksMode = "ok";
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    if (req.method !== "GET" || req.url !== "/.well-known/jwks.json") {
      res.statusCode = 404;
      res.end();
      return;
    }
    switch (mode) {
      case "ok":
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
        return;
      case "error":
        res.statusCode = 500;
        res.end("upstream trouble");
        return;
      case "hang":
        return; // never answers
      case "junk":
        res.setHeader("content-type", "text/html");
        res.end("<html>maintenance</html>");
        return;
      case "huge":
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ keys: published.map((k) => k.publicJwk), padding: "x".repeat(600 * 1024) }));
        return;
      case "huge-chunked": {
        // No content-length: only reading the stream reveals the size.
        res.setHeader("content-type", "application/json");
        res.write(`{"keys":${JSON.stringify(published.map((k) => k.publicJwk))},"padding":"`);
        for (let i = 0; i < 64; i++) res.write("x".repeat(16 * 1024));
        res.end('"}');
        return;
      }
      case "redirect":
        res.statusCode = 302;
        res.setHeader("location", "https://attacker.example/jwks.json");
        res.end();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => count,
    publish: (...next) => {
      published = next;
    },
    mode: (m) => {
      mode = m;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL on which nothing listens (connection refused). */
export async function deadJwksUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
