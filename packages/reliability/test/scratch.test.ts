import { it } from "vitest";
import { runHostile, summarize } from "../src/hostile.js";
import { genericTargets } from "../src/hostile-generic.js";

it("hostile generic", async () => {
  for (const t of genericTargets()) {
    const r = await runHostile(t, { runs: 60 });
    console.log(t.name, r.stats.cases, JSON.stringify(r.stats.byOutcome));
    console.log(summarize(r.findings).join("\n"));
  }
}, 300000);
