/** Plain-language facts about a tunnel origin (pure), for the stack outputs and the audit. */
import type { OriginDescription } from "../describe";
import type { TunnelSettings, TunnelTarget } from "./target";

/** The egress a connector needs: Cloudflare's tunnel edge on TCP 7844 (http2), TCP 443 for image and secret pulls, DNS, and the origin. */
export function connectorEgress(t: TunnelTarget, tunnel: TunnelSettings): string[] {
  const reaches = "reaches" in t ? t.reaches : [tunnel.endpoint, ...tunnel.alsoCarries.map((c) => c.endpoint)].map((endpoint) => ({ endpoint, cidr: undefined, port: 0 }));
  const origins = reaches.map((r) => (r.cidr ? `${r.cidr} port ${r.port}` : new URL(r.endpoint).host));
  return ["TCP 7844 (the tunnel's edge, http2)", "TCP 443 (image and secret pulls, cloudflared's API)", "DNS", `${origins.join(", ")} (${origins.length > 1 ? "the origins" : "the origin"})`];
}

function runsOn(t: TunnelTarget, tunnelName: string): { runsOn: string; tokenStore: string } {
  switch (t.cloud) {
    case "aws":
      return { runsOn: `ECS Fargate in ${t.subnets.join(", ")} (${t.vpcId}, ${t.region}), no public IP, a security group with no ingress`, tokenStore: `AWS Secrets Manager ${t.tokenSecretName}, read by the task's execution role only` };
    case "gcp":
      return { runsOn: `a Cloud Run worker pool in ${t.region} (no HTTP endpoint), Direct VPC egress to ${t.subnetwork}`, tokenStore: `GCP Secret Manager projects/${t.project}/secrets/${t.tokenSecretId}, read by ${t.serviceAccountId} only` };
    case "azure":
      return { runsOn: `a Container App without ingress (${t.appName}), at least one replica always`, tokenStore: t.vaultUri ? `Azure Key Vault ${t.vaultUri}, read through the app's managed identity` : "a Container Apps secret" };
    case "kubernetes":
      return { runsOn: `a Deployment in namespace ${t.namespace} (non-root, read-only root filesystem, no capabilities, no Service)${t.networkPolicy ? ", a NetworkPolicy with no ingress" : ""}`, tokenStore: `a Kubernetes Secret in ${t.namespace}` };
    case "docker":
      return { runsOn: `a Docker host (${t.format === "compose" ? "compose file" : "systemd unit"} in ${t.dir}/${tunnelName}; the host's firewall must limit its egress)`, tokenStore: `${t.dir}/${tunnelName}/tunnel-token (mode 0600)` };
  }
}

export function describeTunnel(name: string, gatewayLabel: string, tunnel: TunnelSettings, target: TunnelTarget): Pick<OriginDescription, "proof" | "reachableBy" | "store" | "connector"> {
  const where = runsOn(target, tunnel.tunnelName);
  return {
    proof: `no public address: only connectors holding tunnel ${tunnel.tunnelName}'s token carry requests to ${tunnel.endpoint}`,
    reachableBy: [`${gatewayLabel} (service://${tunnel.service}, through tunnel ${tunnel.tunnelName}; environments ${tunnel.accessibleBy.join(", ")})`],
    store: { kind: "tunnel connector", location: tunnel.carrier === name ? where.runsOn : `${tunnel.carrier}'s connector: ${where.runsOn}`, readers: [where.tokenStore] },
    connector: {
      tunnel: tunnel.tunnelName,
      service: tunnel.service,
      runsOn: tunnel.carrier === name ? where.runsOn : `${tunnel.carrier}'s connector (it carries tunnel ${tunnel.tunnelName}): ${where.runsOn}`,
      replicas: tunnel.replicas,
      image: tunnel.image,
      egress: connectorEgress(target, tunnel),
      tokenStore: where.tokenStore,
    },
  };
}
