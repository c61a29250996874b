/** Tunnel connectors on Kubernetes (on-premises, bare metal, any cluster); needs `@pulumi/kubernetes`. */
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
