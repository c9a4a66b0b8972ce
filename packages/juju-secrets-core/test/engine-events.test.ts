/** emitOrBlock: how interface packages hand remote-data problems to the charm. */
import { describe, expect, it } from "vitest";
import { emitOrBlock, type RelationInvalidEvent } from "../src/engine/events.js";
import { RemoteDataError } from "../src/errors.js";
import { Emitter } from "../src/hook/emitter.js";
import type { Model } from "../src/model/model.js";

const relation = { endpoint: "db", id: 1 };
const error = new RemoteDataError([
  { relation, side: "provider", bag: "app", key: "endpoints", rule: "required" },
]);

function fakeModel() {
  const statuses: [string, string][] = [];
  const model = { setStatus: (s: string, m: string) => void statuses.push([s, m]) } as unknown as Model;
  return { model, statuses };
}

describe("emitOrBlock", () => {
  it("emits to the charm's handler and sets no status", async () => {
    const events = new Emitter<{ invalid: RelationInvalidEvent }>();
    const seen: RelationInvalidEvent[] = [];
    events.on("invalid", (e) => void seen.push(e));
    const { model, statuses } = fakeModel();
    await emitOrBlock(events, "invalid", { relation, remoteApp: "app", error }, model);
    expect(seen).toEqual([{ relation, remoteApp: "app", error }]);
    expect(statuses).toEqual([]);
  });

  it("without a handler, blocks the unit with the error's message (naming relation and key)", async () => {
    const events = new Emitter<{ invalid: RelationInvalidEvent }>();
    const { model, statuses } = fakeModel();
    await emitOrBlock(events, "invalid", { relation, remoteApp: "app", error }, model);
    expect(statuses).toEqual([["blocked", error.message]]);
    expect(error.message).toContain("endpoints");
  });
});
