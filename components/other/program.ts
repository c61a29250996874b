/** How the stack-file program builds origins not behind cloud IAM: the origin verifies the gateway's token itself. */
import { type CloudModule, expectMethod, federatedArgs, lazyMethod } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "other",
  methods: {
    federated: lazyMethod(() => import("./federated-origin"), ({ OtherFederatedOrigin }) => (raw, ctx) => new OtherFederatedOrigin(raw.name, federatedArgs(expectMethod(raw, "federated"), ctx.gateway), ctx.opts)),
  },
};
