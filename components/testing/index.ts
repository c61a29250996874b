/**
 * `gatelock/testing`: run Pulumi programs under mocks with faithful fakes — the engine
 * gatelock's own tests and `gatelock audit` use. For your platform repo's unit tests.
 * Test-only knobs live here, not in `gatelock` or `gatelock/zuplo`.
 */
export { MockRunError, runUnderMocks, type MockRun, type MockRunOptions, type RecordedResource } from "./engine";
export { FakeCloud, fakeRandomPassword, isSecretValue, reveal, secretValue, type FakeCloudOptions, type PriorResource } from "./fakes";
export { ResourceRefusedError } from "../errors";
export { setZuploClientOptions, type ZuploClientOptions } from "../zuplo/client";
export { setZuploTunnelPollOptions, type ZuploTunnelPollOptions } from "../zuplo/tunnel-provider";
