/**
 * `gatelock/origin` adapters over real HTTP on loopback: what a caller sees (status, body,
 * headers), what the application sees (never the secret header), and what `onReject` and
 * `next` receive.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeSecretDocument } from "../components/shared-secret/document";
import {
  createSharedSecretVerifier,
  protect,
  sharedSecretMiddleware,
  type RejectReason,
  type SharedSecretVerifier,
  type SharedSecretVerifierOptions,
} from "../components/origin/index";

const CURRENT = "Cur7ent_S3cret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const PREVIOUS = "Prev10us_S3cret-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const NEXT = "N3xt_S3cret-ccccccccccccccccccccccccccccccccccccc";
const LONG_WRONG = "W".repeat(2000);
/** Everything that must never come back to a caller or reach application code or onReject. */
const NEVER_LEAK = [CURRENT, PREVIOUS, NEXT, LONG_WRONG];
const HEADER = "x-gateway-secret";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const RETIRES_MS = T0 + 60 * 60 * 1000;

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What the application handler observed of one request. */
interface AppView {
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly distinct: NodeJS.Dict<string[]>;
}

let server: http.Server;
let port: number;
/** The listener under test; swapped per test so each gets a fresh verifier (and cache). */
let listener: http.RequestListener = (_req, res) => res.end();

beforeAll(async () => {
  server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

/** One request on a fresh connection. Array header values are sent as separate header lines. */
function send(headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/orders/42", method: "GET", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The application: records what it sees of the headers and echoes it back. */
function makeApp() {
  const views: AppView[] = [];
  const app = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const view: AppView = { headers: { ...req.headers }, rawHeaders: [...req.rawHeaders], distinct: { ...req.headersDistinct } };
    views.push(view);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(view));
  };
  return { app, views };
}

/** A store whose document can be rotated and whose reads are counted. */
function makeStore(text: string | (() => string)) {
  const s = {
    text,
    calls: 0,
    source: () => {
      s.calls++;
      return typeof s.text === "function" ? s.text() : s.text;
    },
  };
  return s;
}

function makeVerifier(source: SharedSecretVerifierOptions["source"], clock: { t: number }, extra: Partial<SharedSecretVerifierOptions> = {}): SharedSecretVerifier {
  return createSharedSecretVerifier({ source, now: () => new Date(clock.t), ...extra });
}

function expectNoLeak(value: unknown): void {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  for (const secret of NEVER_LEAK) expect(text).not.toContain(secret);
}

function expectRefused(reply: Reply, status: 401 | 503): void {
  expect(reply.status).toBe(status);
  expect(reply.body).toBe("");
  expect(reply.headers["cache-control"]).toBe("no-store");
  expectNoLeak(reply.headers);
  expectNoLeak(reply.body);
}

/** The parts of a response that could tell one refusal from another. */
function signature(reply: Reply) {
  const { date: _date, ...headers } = reply.headers;
  return { status: reply.status, body: reply.body, headers };
}

interface Rejection {
  readonly reason: RejectReason;
  readonly args: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
}

function recordRejections() {
  const rejections: Rejection[] = [];
  const onReject = (...args: [RejectReason, http.IncomingMessage]): void => {
    const [reason, req] = args;
    rejections.push({ reason, args: JSON.stringify({ reason, extra: args.slice(2), headers: req.headers, raw: req.rawHeaders }), headers: { ...req.headers }, rawHeaders: [...req.rawHeaders] });
  };
  return { rejections, onReject };
}

const rotatingDoc = () => encodeSecretDocument({ current: CURRENT, previous: PREVIOUS, previousRetiresAt: new Date(RETIRES_MS).toISOString() });

describe("protect() over HTTP", () => {
  let clock: { t: number };
  beforeEach(() => {
    clock = { t: T0 };
  });

  it("lets the current secret through, and the application never sees the header", async () => {
    const { app, views } = makeApp();
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock), app);
    const reply = await send({ [HEADER]: CURRENT, "x-request-id": "r-1" });
    expect(reply.status).toBe(200);
    expect(views).toHaveLength(1);
    const view = views[0]!;
    // Other headers survive; the secret header is gone from every view of the request.
    expect(view.headers["x-request-id"]).toBe("r-1");
    expect(view.headers[HEADER]).toBeUndefined();
    expect(view.distinct[HEADER]).toBeUndefined();
    expect(view.rawHeaders.map((h) => h.toLowerCase())).not.toContain(HEADER);
    expect(view.rawHeaders).toContain("r-1");
    expectNoLeak(view);
    expectNoLeak(reply.body);
  });

  it("matches the header name case-insensitively and strips it whatever its case", async () => {
    const { app, views } = makeApp();
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock, { header: "X-Gateway-Secret" }), app);
    const reply = await send({ "X-GATEWAY-Secret": CURRENT });
    expect(reply.status).toBe(200);
    expectNoLeak(views[0]);
  });

  it("uses a custom header name and does not accept the secret under the default one", async () => {
    const { app, views } = makeApp();
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock, { header: "x-origin-key" }), app);
    expectRefused(await send({ [HEADER]: CURRENT }), 401);
    expect((await send({ "x-origin-key": CURRENT })).status).toBe(200);
    expect(views).toHaveLength(1);
    expect(views[0]!.headers["x-origin-key"]).toBeUndefined();
  });

  it("sees duplicate header lines even for headers Node collapses to their first value", async () => {
    // Node keeps only the first line of some headers (authorization, user-agent, ...) in
    // `req.headers`; only the header lines tell that a second value was sent.
    // (OutgoingHttpHeaders types `authorization` as a single string; Node sends an array as separate lines.)
    const twoLines = { authorization: [CURRENT, NEXT] } as unknown as http.OutgoingHttpHeaders;
    const control = makeApp();
    listener = control.app;
    await send(twoLines);
    expect(control.views[0]!.headers.authorization).toBe(CURRENT);

    const { app, views } = makeApp();
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock, { header: "authorization" }), app);
    expectRefused(await send(twoLines), 401);
    expect((await send({ authorization: CURRENT })).status).toBe(200);
    expect(views).toHaveLength(1);
    expect(views[0]!.headers.authorization).toBeUndefined();
  });

  it("accepts the previous secret before previousRetiresAt and refuses it from then on", async () => {
    const { app, views } = makeApp();
    const store = makeStore(rotatingDoc());
    listener = protect(makeVerifier(store.source, clock), app);
    clock.t = RETIRES_MS - 1;
    expect((await send({ [HEADER]: PREVIOUS })).status).toBe(200);
    clock.t = RETIRES_MS;
    expectRefused(await send({ [HEADER]: PREVIOUS }), 401);
    clock.t = RETIRES_MS + 7 * 24 * 60 * 60 * 1000;
    expectRefused(await send({ [HEADER]: PREVIOUS }), 401);
    // The store was never updated: it still lists PREVIOUS. The origin's clock retired it.
    expect(store.text).toContain(PREVIOUS);
    expect((await send({ [HEADER]: CURRENT })).status).toBe(200);
    expect(views).toHaveLength(2);
  });

  it("refuses missing, empty, wrong, retired and duplicated values with one identical 401 and no detail", async () => {
    // Control: the request shapes used below really reach the server as intended.
    const control = makeApp();
    listener = control.app;
    await send({ [HEADER]: "" });
    await send({ [HEADER]: [CURRENT, CURRENT] });
    expect(control.views[0]!.headers[HEADER]).toBe("");
    expect(control.views[1]!.distinct[HEADER]).toEqual([CURRENT, CURRENT]);

    const { app, views } = makeApp();
    const { rejections, onReject } = recordRejections();
    clock.t = RETIRES_MS; // PREVIOUS is retired from here on
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock), app, { onReject });

    const cases: Array<[string, http.OutgoingHttpHeaders, RejectReason]> = [
      ["missing", {}, "missing"],
      ["empty", { [HEADER]: "" }, "missing"],
      ["wrong", { [HEADER]: NEXT }, "mismatch"],
      ["wrong, one character", { [HEADER]: "x" }, "mismatch"],
      ["wrong, much longer", { [HEADER]: LONG_WRONG }, "mismatch"],
      ["current with a suffix", { [HEADER]: `${CURRENT}x` }, "mismatch"],
      ["retired previous", { [HEADER]: PREVIOUS }, "mismatch"],
      ["two header lines, both current", { [HEADER]: [CURRENT, CURRENT] }, "mismatch"],
      ["two header lines, current and wrong", { [HEADER]: [NEXT, CURRENT] }, "mismatch"],
      ["comma-joined duplicate", { [HEADER]: `${CURRENT}, ${CURRENT}` }, "mismatch"],
    ];
    const signatures = [];
    for (const [label, headers] of cases) {
      const reply = await send(headers);
      expect(reply.status, label).toBe(401);
      expectRefused(reply, 401);
      signatures.push(signature(reply));
    }
    // Every refusal looks the same to the caller, whatever the reason.
    for (const s of signatures) expect(s).toEqual(signatures[0]);
    expect(signatures[0]!.headers["content-length"]).toBe("0");
    // The application ran for none of them.
    expect(views).toHaveLength(0);
    // onReject got the reason, and a request already stripped of the presented value.
    expect(rejections.map((r) => r.reason)).toEqual(cases.map((c) => c[2]));
    for (const r of rejections) {
      expect(r.headers[HEADER]).toBeUndefined();
      expect(r.rawHeaders.map((h) => h.toLowerCase())).not.toContain(HEADER);
      expectNoLeak(r.args);
    }
  });

  it("answers 503 with no detail when the source fails, and never leaks what it failed on", async () => {
    const { app, views } = makeApp();
    const { rejections, onReject } = recordRejections();
    const failing = [
      () => {
        throw new Error(`cannot read secret ${CURRENT} / ${PREVIOUS}`);
      },
      async () => Promise.reject(Object.assign(new Error(CURRENT), { code: "EACCES" })),
      () => `{"version":1,"current":"${CURRENT}"`, // truncated JSON, which V8 would quote
      () => JSON.stringify({ version: 2, current: CURRENT }),
      () => JSON.stringify({ version: 1, previous: CURRENT }),
    ];
    const replies: Reply[] = [];
    for (const source of failing) {
      listener = protect(makeVerifier(source, clock), app, { onReject });
      for (const value of [CURRENT, NEXT]) {
        const reply = await send({ [HEADER]: value });
        expectRefused(reply, 503);
        replies.push(reply);
      }
    }
    for (const r of replies) expect(signature(r)).toEqual(signature(replies[0]!));
    expect(views).toHaveLength(0);
    expect(rejections.every((r) => r.reason === "unavailable")).toBe(true);
    expect(rejections).toHaveLength(failing.length * 2);
    for (const r of rejections) expectNoLeak(r.args);
  });

  it("picks up a rotation on the first miss and keeps store reads rate-limited", async () => {
    const { app } = makeApp();
    const store = makeStore(encodeSecretDocument({ current: CURRENT }));
    listener = protect(makeVerifier(store.source, clock, { minRefreshIntervalMs: 10_000 }), app);
    expect((await send({ [HEADER]: CURRENT })).status).toBe(200);
    expect(store.calls).toBe(1);

    // Rotation lands in the store; the gateway redeploys and sends NEXT half a minute later.
    store.text = encodeSecretDocument({ current: NEXT, previous: CURRENT, previousRetiresAt: new Date(RETIRES_MS).toISOString() });
    clock.t += 30_000;
    expect((await send({ [HEADER]: NEXT })).status).toBe(200);
    expect(store.calls).toBe(2);
    // In-flight requests from the old deployment still pass, as previous, without another read.
    expect((await send({ [HEADER]: CURRENT })).status).toBe(200);
    expect(store.calls).toBe(2);

    // A flood of wrong values does not turn into a flood of store reads.
    const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => send({ [HEADER]: `guess-${i}` })));
    expect(flood.every((r) => r.status === 401)).toBe(true);
    expect(store.calls).toBe(2);
    clock.t += 10_000;
    const second = await Promise.all(Array.from({ length: 20 }, (_, i) => send({ [HEADER]: `guess-again-${i}` })));
    expect(second.every((r) => r.status === 401)).toBe(true);
    expect(store.calls).toBe(3);
  });

  it("still answers 401 when the onReject hook throws", async () => {
    const { app } = makeApp();
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock), app, {
      onReject: () => {
        throw new Error("logger broke");
      },
    });
    expectRefused(await send({ [HEADER]: NEXT }), 401);
    expect((await send({ [HEADER]: CURRENT })).status).toBe(200);
  });

  it("works with an async handler", async () => {
    listener = protect(makeVerifier(makeStore(rotatingDoc()).source, clock), async (_req, res) => {
      await new Promise((r) => setTimeout(r, 5));
      res.end("async ok");
    });
    const reply = await send({ [HEADER]: CURRENT });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("async ok");
  });
});

describe("sharedSecretMiddleware() (Express/Connect style) over HTTP", () => {
  let clock: { t: number };
  beforeEach(() => {
    clock = { t: T0 };
  });

  /** A two-step stack: the middleware, then the app, joined by `next`. */
  function stack(verifier: SharedSecretVerifier, onReject?: (reason: RejectReason, req: http.IncomingMessage) => void) {
    const { app, views } = makeApp();
    const nextCalls: unknown[][] = [];
    const mw = sharedSecretMiddleware(verifier, onReject ? { onReject } : undefined);
    listener = (req, res) =>
      mw(req, res, (...args: unknown[]) => {
        nextCalls.push(args);
        app(req, res);
      });
    return { views, nextCalls };
  }

  it("calls next() once, with no error, for an accepted secret; the rest of the stack never sees it", async () => {
    const { views, nextCalls } = stack(makeVerifier(makeStore(rotatingDoc()).source, clock));
    expect((await send({ [HEADER]: CURRENT })).status).toBe(200);
    expect((await send({ [HEADER]: PREVIOUS })).status).toBe(200);
    expect(nextCalls).toEqual([[], []]);
    for (const view of views) {
      expect(view.headers[HEADER]).toBeUndefined();
      expectNoLeak(view);
    }
  });

  it("never calls next() for a refused request, and answers it itself", async () => {
    const { rejections, onReject } = recordRejections();
    const { views, nextCalls } = stack(makeVerifier(makeStore(rotatingDoc()).source, clock), onReject);
    expectRefused(await send({}), 401);
    expectRefused(await send({ [HEADER]: "" }), 401);
    expectRefused(await send({ [HEADER]: NEXT }), 401);
    expectRefused(await send({ [HEADER]: [CURRENT, CURRENT] }), 401);
    expect(nextCalls).toEqual([]);
    expect(views).toEqual([]);
    expect(rejections.map((r) => r.reason)).toEqual(["missing", "missing", "mismatch", "mismatch"]);
    for (const r of rejections) expectNoLeak(r.args);
  });

  it("never calls next() when the secrets are unavailable, and answers 503", async () => {
    const { views, nextCalls } = stack(
      makeVerifier(() => {
        throw new Error(CURRENT);
      }, clock),
    );
    expectRefused(await send({ [HEADER]: CURRENT }), 503);
    expect(nextCalls).toEqual([]);
    expect(views).toEqual([]);
  });

  it("refuses a comma-joined duplicate on request objects without headersDistinct", async () => {
    // Some frameworks and test doubles hand over a plain request object; the fallback to
    // `headers` must still see Node-style joined duplicates as two values.
    const mw = sharedSecretMiddleware(makeVerifier(makeStore(rotatingDoc()).source, clock));
    const run = (value: string) =>
      new Promise<{ status: number; next: boolean; headers: Record<string, unknown> }>((resolve) => {
        const req = { headers: { [HEADER]: value } } as unknown as http.IncomingMessage;
        const res = {
          statusCode: 200,
          headersSent: false,
          writableEnded: false,
          setHeader() {},
          end() {
            resolve({ status: res.statusCode, next: false, headers: req.headers });
          },
        } as unknown as http.ServerResponse;
        mw(req, res, () => resolve({ status: 200, next: true, headers: req.headers }));
      });
    await expect(run(`${CURRENT}, ${CURRENT}`)).resolves.toEqual({ status: 401, next: false, headers: {} });
    await expect(run(CURRENT)).resolves.toEqual({ status: 200, next: true, headers: {} });
  });
});
