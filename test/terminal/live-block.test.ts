// The live block on a terminal emulator: drawn in place, cut to the width, text printed above it, drawn again when
// the window is resized, and gone without a trace when nothing is in progress.
import { describe, expect, it } from "vitest";
import { LiveBlock } from "../../src/commands/live-block.js";
import { EmulatedTerminal } from "../support/terminal.js";

const texts = async (term: EmulatedTerminal) => (await term.read()).map((r) => r.text);

function blockOn(columns: number) {
  const term = new EmulatedTerminal(columns, 12);
  const block = new LiveBlock(term, (text) => term.write(text));
  let lines: string[] = [];
  block.show(() => lines);
  const show = (next: string[]) => {
    lines = next;
    block.redraw();
  };
  return { term, block, show };
}

describe("the live block", () => {
  it("given two frames, then only the second is on the screen, each line cut to the width", async () => {
    const { term, show } = blockOn(40);

    show(["… alb: load balancer startupwebapp-alb active (provisioning, 35 s)", "… acm-certificate: certificate"]);
    show(["… alb: load balancer active (provisioning, 40 s)"]);

    const rows = await term.read();
    expect(rows.map((r) => r.text)).toEqual(["… alb: load balancer active (provisioni…"]);
    expect(rows.filter((r) => r.wrapped)).toEqual([]);
  });

  it("given text printed while it shows, then the text stays above it, whole, and the block stays at the bottom", async () => {
    const { term, block, show } = blockOn(40);
    show(["… alb: waiting", "… ecs-service: waiting"]);

    block.print("+ alb: listener HTTP:80\n");
    show(["… ecs-service: waiting (3 s)"]);

    expect(await texts(term)).toEqual(["+ alb: listener HTTP:80", "… ecs-service: waiting (3 s)"]);
  });

  it("given a window made narrower, which reflows the block's lines onto more rows, then it is drawn again at the new width with nothing left of it", async () => {
    const { term, block, show } = blockOn(80);
    block.print("+ alb: security group startupwebapp-alb-sg\n");
    show(["… alb: ".padEnd(78, "a"), "… acm: ".padEnd(70, "b"), "… ecs: short"]);

    term.resize(30);

    expect(await texts(term)).toEqual([
      // The line printed above the block was the terminal's to reflow: its text is all there.
      "+ alb: security group startupw",
      "ebapp-alb-sg",
      `… alb: ${"a".repeat(22)}…`,
      `… acm: ${"b".repeat(22)}…`,
      "… ecs: short",
    ]);
    block.clear();
    expect(await texts(term)).toEqual(["+ alb: security group startupw", "ebapp-alb-sg"]);
  });

  it("given a window made wider, then the block is drawn again at the new width, on as many rows as before", async () => {
    const { term, show } = blockOn(30);
    show(["… alb: ".padEnd(50, "a"), "… ecs: short"]);

    term.resize(60);

    expect(await texts(term)).toEqual([`… alb: ${"a".repeat(43)}`, "… ecs: short"]);
  });

  it("given output to stdout on the same terminal, then the block steps aside for it and comes back below it", async () => {
    const { term, block, show } = blockOn(40);
    show(["… alb: waiting"]);

    block.around(() => term.write("RESOURCE  EXISTS\n"));

    expect(await texts(term)).toEqual(["RESOURCE  EXISTS", "… alb: waiting"]);
  });
});
