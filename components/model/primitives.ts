/** Syntax shared by every part of the config schema. */
import { z } from "zod";

export const ORIGIN_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
/** Zuplo variable names: SCREAMING_SNAKE_CASE (Zuplo Developer API, `Zuplo.Variables.Variable.name`). */
export const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;
/** RFC 9110 `token`, lower-cased: header names are case-insensitive and Node lower-cases them. */
export const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const AWS_ACCOUNT_ID = /^\d{12}$/;
export const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
/** Cloud Run service names: a letter first, lower-case letters, digits and dashes, at most 49. */
export const GCP_RUN_SERVICE = /^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$/;
export const AZURE_RG = /^[-\w._()]{1,90}$/;
export const AZURE_VAULT = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
/** Directory (tenant), client, object and principal IDs. */
export { GUID } from "../documents/entra";

export const originName = z.string().regex(ORIGIN_NAME, {
  error: "expected a lower-case name of 2-40 letters, digits and dashes (e.g. `orders`)",
});

export const variableName = z.string().regex(VARIABLE_NAME, {
  error: "expected a SCREAMING_SNAKE_CASE variable name (e.g. `ORDERS_SHARED_SECRET`)",
});

/** The name of an existing Cloud Run service, and its region. */
export const runServiceName = z.string().regex(GCP_RUN_SERVICE, { error: "expected a Cloud Run service name (lower-case letters, digits and dashes, a letter first, at most 49)" });
export const gcpRegion = z.string().regex(GCP_REGION, { error: "expected a GCP region (e.g. `europe-west1`)" });

export const httpsOrLoopbackUrl = z.url({ error: "expected an absolute URL (e.g. `https://api.example.com`)" });
