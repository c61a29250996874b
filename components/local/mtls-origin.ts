import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { checkOrigin } from "../component/checked-origin";
import { DotenvFile } from "../dotenv/dotenv-file";
import type { GatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { createMtlsPki } from "../mtls/pki";
import { isMtlsOn, mtlsConfig, type MtlsOriginArgsBase } from "../mtls/origin-args";

export interface LocalMtlsOriginArgs extends MtlsOriginArgsBase {
  /** Where `zuplo dev --mtls-certificates-dir` reads the gateway's certificate and key, relative to the project (default `.zuplo-local/mtls`; git must ignore it). */
  readonly certificatesDir?: string;
  /** The Pulumi project's directory: where `.env.<origin>` and the certificates directory are (default: the working directory). */
  readonly projectDir?: string;
}

/**
 * An mTLS origin on this machine, for local development. The stack's CA signs the gateway's
 * client certificate, which the gateway environment writes where `zuplo dev
 * --mtls-certificates-dir` reads it; the origin's trust (the CA bundle and the subject to pin)
 * goes to its own dotenv file, which `clientCertOptionsFromEnv` (`gatelock/origin`) reads.
 */
export class LocalMtlsOrigin extends pulumi.ComponentResource {
  /** Where the origin's dotenv file is on this machine. */
  readonly dotenvPath: string;
  /** The PEM CA certificates the origin trusts (public). */
  readonly trustBundle: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly gatewayCertificates: readonly GatewayCertificate[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: LocalMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:local:MtlsOrigin", name, {}, opts);
    const projectDir = path.resolve(args.projectDir ?? process.cwd());
    const check = checkOrigin({
      component: name,
      config: mtlsConfig(name, "local", args, args.certificatesDir !== undefined ? { certificatesDir: args.certificatesDir } : undefined),
      gateway: args.gateway,
      projectDir,
      placeholders: { url: () => "https://127.0.0.1:1" },
      is: isMtlsOn("local"),
    });
    const origin = check.known;
    const target = origin.target;
    const pki = createMtlsPki(name, origin, this, args.ca?.key);
    const s = origin.client.subject;
    const file = new DotenvFile(
      `${name}-store`,
      {
        path: target.dotenv,
        projectDir,
        entries: {
          [target.bundleVariable]: pki.trustBundle.apply((pem) => Buffer.from(pem, "utf8").toString("base64")),
          [target.subjectVariable]: JSON.stringify({ CN: s.commonName, OU: s.organizationalUnit, O: s.organization }),
        },
      },
      { parent: this },
    );
    this.dotenvPath = path.join(projectDir, target.dotenv);
    this.trustBundle = pki.trustBundle;
    const gateway = pki.gatewaySide([file], origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.gatewayVariables = gateway.gatewayVariables;
    this.gatewayCertificates = gateway.gatewayCertificates;
    this.findings = check.findings;
    this.summary = { dotenv: target.dotenv, certificatesDir: target.certificatesDir, ...pki.summary };
    this.registerOutputs(this.summary);
  }
}
