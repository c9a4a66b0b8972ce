import { describe, expect, it } from "vitest";
import { Emitter, forwardEvents } from "../src/hook/emitter.js";

describe("forwardEvents", () => {
  it("re-emits only the named events, payload unchanged, in order", async () => {
    const engine = new Emitter<{ a: { n: number }; b: string; c: boolean }>();
    const wrapper = new Emitter<{ a: { n: number }; b: string; other: number }>();
    const seen: unknown[] = [];
    wrapper.on("a", (p) => void seen.push(["a", p]));
    wrapper.on("b", (p) => void seen.push(["b", p]));
    forwardEvents(engine, wrapper, ["a", "b"]);
    const payload = { n: 1 };
    await engine.emit("a", payload);
    await engine.emit("c", true);
    await engine.emit("b", "x");
    expect(seen).toEqual([
      ["a", payload],
      ["b", "x"],
    ]);
    expect((seen[0] as [string, unknown])[1]).toBe(payload);
  });
});
