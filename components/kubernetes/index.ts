/** Tunnel connectors on Kubernetes (on-premises, bare metal, any cluster); needs `@pulumi/kubernetes`. */
import { type CloudModule, expectMethod, tunnelOriginArgs } from "../program/translator";
import { KubernetesTunnelOrigin } from "./tunnel-origin";

export { KubernetesTunnelOrigin, type KubernetesTunnelOriginArgs } from "./tunnel-origin";
export {
  connectorDeployment,
  connectorEgress,
  connectorNetworkPolicy,
  connectorPodDisruptionBudget,
  connectorSecret,
  kubernetesConnectorNames,
  tokenVersion,
  TOKEN_VERSION_ANNOTATION,
} from "../documents/kubernetes-tunnel";

export const cloud: CloudModule = {
  cloud: "kubernetes",
  builders: {
    tunnel: (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new KubernetesTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.kubernetes }, ctx.opts);
    },
  },
};
