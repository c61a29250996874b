/**
 * Faithful fakes for the `@pulumi/kubernetes` resources gatelock creates (tunnel connectors).
 * The provider names an object `<logical name>-<8 random>` when `metadata.name` is not given
 * (auto-naming), puts it in `default` when no namespace is, and the API server gives it a
 * `uid`; the ID is `<namespace>/<name>`. Secrets' `data`/`stringData` stay as the SDK marked them.
 */
import { randomUUID } from "node:crypto";
import { alnum, type Fake } from "./fake-kit";

const namespaced: Fake = ({ name, inputs }, ctx) => {
  const meta = (inputs.metadata ?? {}) as Record<string, unknown>;
  const namespace = typeof meta.namespace === "string" ? meta.namespace : "default";
  const objectName = typeof meta.name === "string" ? meta.name : `${name}-${ctx.invent(() => alnum(8).toLowerCase(), `<suffix of ${name}>`)}`;
  const uid = (ctx.prior?.state.metadata as { uid?: string } | undefined)?.uid ?? ctx.invent(randomUUID, `<uid of ${name}>`);
  return { id: `${namespace}/${objectName}`, state: { ...inputs, metadata: { ...meta, name: objectName, namespace, uid } } };
};

export const KUBERNETES_FAKES: Record<string, Fake> = {
  "kubernetes:core/v1:Secret": namespaced,
  "kubernetes:core/v1:ServiceAccount": namespaced,
  "kubernetes:apps/v1:Deployment": namespaced,
  "kubernetes:policy/v1:PodDisruptionBudget": namespaced,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": namespaced,
};
