/**
 * The mermaid rendering is what GitHub draws: fenced, parsed by the real `mermaid` parser
 * (under jsdom, as in a browser), with labels Mermaid shows as written.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MERMAID_LABEL_MAX, renderMermaid } from "../components/audit/render";
import { runAudit } from "../components/audit/report";
import { PROJECT_DIR } from "./harness";

type Mermaid = { parse(text: string): Promise<unknown> };
let mermaid: Mermaid;

beforeAll(async () => {
  // Mermaid needs a DOM (its sanitiser is DOMPurify): jsdom stands in for the browser.
  // @ts-expect-error: jsdom ships no types here, and only its constructor is used
  const { JSDOM } = await import("jsdom");
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = ((await import("mermaid")) as unknown as { default: Mermaid }).default;
}, 60_000);

/** The diagram inside the fence. */
function body(text: string): string {
  const m = /^```mermaid\n([\s\S]*)\n```\n$/.exec(text);
  if (!m) throw new Error("not a fenced mermaid block");
  return m[1]!;
}

describe("gatelock audit --format mermaid", () => {
  it("is a fenced flowchart the real parser accepts, for the example stack", async () => {
    const text = renderMermaid(await runAudit({ projectDir: PROJECT_DIR, stack: "example" }));
    await expect(mermaid.parse(body(text))).resolves.toMatchObject({ diagramType: expect.stringMatching(/^flowchart/) });
  });

  it("the parser is a real check: a broken diagram is refused", async () => {
    await expect(mermaid.parse('flowchart LR\n  a["gate" -->\n')).rejects.toThrow(/Parse error/);
  });

  it("labels are short and hold nothing Mermaid strips (no `<…>`, no quotes, no `#`)", async () => {
    const text = renderMermaid(await runAudit({ projectDir: PROJECT_DIR, stack: "example" }));
    const labels = [...body(text).matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThan(10);
    for (const label of labels) {
      expect(label.length, label).toBeLessThanOrEqual(MERMAID_LABEL_MAX);
      expect(label, label).not.toMatch(/[<>#]/);
    }
    // Placeholders such as `<deploying account>` survive as ‹deploying account›.
    expect(body(text)).not.toContain("<");
  });
});
