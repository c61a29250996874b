/**
 * The refusals and warnings of the tunnel method (pure, on parsed config). The origin must be
 * private (a tunnel exists so that it has no public address), the connector must run as at
 * least two replicas, and origins sharing a tunnel share one connector, so they must agree on
 * where it runs.
 */
import { isIP } from "node:net";
import type { ConfigIssue, WarningCode } from "../../errors";
import { cloudBlockIssues } from "../cloud-blocks";
import { dotenvTargetProblem, type IgnoreOracle } from "../dotenv-target";
import { conflictIssue as conflict, invalidIssue as invalid, missingIssue as missing, unsafeIssue as unsafe } from "../issues";
import type { ParsedOrigin } from "../config";
import type { ParsedTunnelOrigin } from "./config";
import { endpointCidr, serviceNameOf, tunnelNameOf } from "./target";

type At = (...rest: (string | number)[]) => string;

/** Host names that resolve only inside a private network by convention (RFC 6762, RFC 8375, Kubernetes, clouds' internal DNS). */
const PRIVATE_SUFFIXES = [".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp", ".private", ".svc", ".svc.cluster.local", ".cluster.local"];

/** Whether `host` is an address or name only the private network reaches: RFC 1918, loopback, unique local IPv6, or a private DNS suffix or single label. */
export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) return h === "::1" || /^f[cd][0-9a-f]{2}:/.test(h);
  if (h === "localhost" || !h.includes(".")) return true;
  return PRIVATE_SUFFIXES.some((s) => h.endsWith(s));
}

export function checkTunnelOrigin(o: ParsedTunnelOrigin, at: At, oracle: IgnoreOracle, stack: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const t = o.tunnel;
  issues.push(...cloudBlockIssues(o, (...rest) => at(...rest), "saying where the connector runs", "docs/tunnel.md"));
  for (const block of ["kubernetes", "docker"] as const) {
    if (o[block] !== undefined && o.cloud !== block) issues.push(conflict(at(block), `this origin's connector runs on \`${o.cloud}\`, not \`${block}\`.`, `remove the \`${block}\` block or change \`cloud\`.`));
  }
  const url = new URL(t.endpoint);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    issues.push(invalid(at("tunnel", "endpoint"), `the connector forwards HTTP: \`${url.protocol}\` is not a scheme it can reach the origin with.`, "use the origin's http:// or https:// address inside the network."));
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!isIP(host) && !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(host)) {
    issues.push(invalid(at("tunnel", "endpoint"), "the endpoint's host is neither an IP address nor a DNS name.", "give the origin's address or DNS name inside the network."));
    return issues;
  }
  if (url.username || url.password || url.search || url.hash) {
    issues.push(unsafe(at("tunnel", "endpoint"), "the endpoint carries user info, a query or a fragment, which would be sent with every request and shown in the audit.", "use the origin's scheme, host and port only."));
  }
  if (!t.dangerouslyAllowPublicEndpoint && !isPrivateHost(url.hostname)) {
    issues.push(
      unsafe(
        at("tunnel", "endpoint"),
        "the endpoint is not a private or loopback address, nor a private DNS name: an origin the internet can reach is not locked by a tunnel.",
        "give the origin's private address (e.g. `http://10.0.3.12:8080`, `http://orders.internal:8080`), or set `tunnel.dangerouslyAllowPublicEndpoint: true` if you lock it some other way too.",
      ),
    );
  }
  if (t.replicas < 2 && !t.dangerouslyAllowSingleReplica) {
    issues.push(invalid(at("tunnel", "replicas"), "one connector replica makes the origin unreachable whenever it restarts, a token rotation included.", "keep `replicas: 2` (the default), or set `tunnel.dangerouslyAllowSingleReplica: true` for development."));
  }
  if (o.cloud === "aws" && o.aws && !o.aws.originCidr && !endpointCidr(t.endpoint)) {
    issues.push(missing(at("aws", "originCidr"), "the connector's security group allows egress to the origin only, and the endpoint is a name, not an address.", "set `aws.originCidr` to the origin's address range (e.g. `10.0.3.0/24`)."));
  }
  if (o.cloud === "kubernetes" && (o.kubernetes?.networkPolicy ?? true) && !o.kubernetes?.originCidr && !endpointCidr(t.endpoint) && !isClusterService(url.hostname)) {
    issues.push(missing(at("kubernetes", "originCidr"), "the NetworkPolicy allows egress to the origin only, and the endpoint is a name outside the cluster, not an address.", "set `kubernetes.originCidr`, or `kubernetes.networkPolicy: false`."));
  }
  if (o.cloud === "docker") {
    const dir = o.docker?.dir ?? ".gatelock/tunnel";
    // The file the provider writes the token to (it refuses the same paths when it writes).
    const problem = dotenvTargetProblem(`${dir.replace(/\/+$/, "")}/${tunnelNameOf(o, stack)}/tunnel-token`, oracle, false);
    if (problem && problem.kind !== "unconventional-name") {
      issues.push(problem.kind === "outside-project" ? invalid(at("docker", "dir"), "the directory must be relative to the project and stay inside it.", "use e.g. `.gatelock/tunnel`.") : unsafe(at("docker", "dir"), "git does not ignore the directory, so the tunnel's token file would be committed.", "add the directory to .gitignore."));
    }
    if (problem?.kind === "unconventional-name" && !`${dir}/`.replace(/^\.\//, "").startsWith(".gatelock/")) {
      issues.push(unsafe(at("docker", "dir"), "outside a git repository only `.gatelock/…` may hold the token file: nothing else keeps it out of source control.", "use a directory under `.gatelock/`, or run gatelock in a git repository that ignores this one."));
    }
  }
  return issues;
}

/** A Kubernetes Service's DNS name: the NetworkPolicy then allows the cluster's pods. */
function isClusterService(host: string): boolean {
  return /\.svc(\.cluster\.local)?$/.test(host) || !host.includes(".");
}

/** What origins sharing a tunnel share, since one connector carries them all. */
export const CONNECTOR_SETTINGS = ["rotateAfterDays", "rotation", "replicas", "dangerouslyAllowSingleReplica", "image"] as const;

/**
 * Origins naming one tunnel share its connector, run by the first of them (the carrier): a
 * tunnel hands each request to any of its connectors, so one connector must reach them all.
 * They must agree on where it runs (`cloud` and its block) and how (token rotation, replicas,
 * image), and each needs its own service name.
 */
export function checkTunnelOrigins(origins: readonly ParsedOrigin[], stack: string, originKey: (i: number, ...rest: (string | number)[]) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const carriers = new Map<string, number>();
  const byService = new Map<string, number>();
  origins.forEach((o, i) => {
    if (o.method !== "tunnel") return;
    const tunnel = tunnelNameOf(o, stack);
    const first = carriers.get(tunnel);
    if (first === undefined) carriers.set(tunnel, i);
    else issues.push(...sharedTunnelIssues(o, i, origins[first] as ParsedTunnelOrigin, first, tunnel, originKey));
    const service = serviceNameOf(o, stack);
    const s = byService.get(service);
    if (s === undefined) byService.set(service, i);
    else issues.push(conflict(originKey(i, "tunnel", "service"), `service \`${service}\` is also used by ${originKey(s)}.`, "give each origin its own `tunnel.service`."));
  });
  return issues;
}

function sharedTunnelIssues(o: ParsedTunnelOrigin, i: number, carrier: ParsedTunnelOrigin, c: number, tunnel: string, originKey: (i: number, ...rest: (string | number)[]) => string): ConfigIssue[] {
  const why = `tunnel \`${tunnel}\` is carried by ${originKey(c)}'s connector, which this origin shares`;
  const fix = (what: string) => `use ${originKey(c)}'s ${what}, or give this origin a tunnel of its own (leave \`tunnel.name\` out for \`gl-<stack>-<origin>\`).`;
  if (o.cloud !== carrier.cloud) return [conflict(originKey(i, "cloud"), `${why}, and it runs on \`${carrier.cloud}\`.`, fix("`cloud` and connector block"))];
  const issues: ConfigIssue[] = [];
  if (JSON.stringify(o[o.cloud] ?? null) !== JSON.stringify(carrier[carrier.cloud] ?? null)) {
    issues.push(conflict(originKey(i, o.cloud), `${why}: its \`${o.cloud}\` block must be the same.`, fix(`\`${o.cloud}\` block (a YAML anchor keeps them one)`)));
  }
  for (const key of CONNECTOR_SETTINGS) {
    if (o.tunnel[key] !== carrier.tunnel[key]) issues.push(conflict(originKey(i, "tunnel", key), `${why}: \`tunnel.${key}\` must be the same.`, fix(`\`tunnel.${key}\``)));
  }
  return issues;
}

export interface TunnelWarning {
  readonly path: string;
  readonly code: Extract<WarningCode, "WARN_SINGLE_REPLICA" | "WARN_IMAGE_NOT_PINNED" | "WARN_PUBLIC_ENDPOINT">;
  readonly message: string;
  readonly fix: string;
}

export function tunnelWarnings(o: ParsedTunnelOrigin, at: At): TunnelWarning[] {
  const out: TunnelWarning[] = [];
  const t = o.tunnel;
  if (t.replicas < 2) {
    out.push({ path: at("tunnel", "replicas"), code: "WARN_SINGLE_REPLICA", message: "one connector replica: the origin is unreachable whenever it restarts, a token rotation included.", fix: "use two replicas outside development." });
  }
  if (!/@sha256:[0-9a-f]{64}$/.test(t.image)) {
    out.push({ path: at("tunnel", "image"), code: "WARN_IMAGE_NOT_PINNED", message: `the connector image \`${t.image}\` is a tag, which can point at another image tomorrow (\`zuplo/tunnel:latest\` moves about monthly).`, fix: "pin it by digest: `zuplo/tunnel@sha256:<digest>` (`docker buildx imagetools inspect zuplo/tunnel:latest`)." });
  }
  if (t.dangerouslyAllowPublicEndpoint && !isPrivateHost(new URL(t.endpoint).hostname)) {
    out.push({ path: at("tunnel", "endpoint"), code: "WARN_PUBLIC_ENDPOINT", message: "the origin has a public address: the tunnel does not keep anyone from reaching it around the gateway.", fix: "make the origin private, or lock it with another method too." });
  }
  return out;
}
