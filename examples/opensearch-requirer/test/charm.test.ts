/** The example charm, in-process, passes the package's own requirer conformance suite. */
import { charmRunner, requirerConformance } from "@charm-relations/interface-opensearch-client/testing";
import { describe, it } from "vitest";
import { setup } from "../src/charm.js";

describe("opensearch-requirer example: the package's requirer conformance suite", () => {
  for (const c of requirerConformance({ runner: charmRunner(setup) })) it(c.name, c.run);
});
