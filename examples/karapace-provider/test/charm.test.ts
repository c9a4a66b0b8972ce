/** The example charm, in-process, passes the package's own provider conformance suite. */
import { charmRunner, providerConformance } from "@charm-relations/interface-karapace-client/testing";
import { describe, it } from "vitest";
import { setup } from "../src/charm.js";

describe("karapace-provider example: the package's provider conformance suite", () => {
  for (const c of providerConformance({ runner: charmRunner(setup) })) it(c.name, c.run);
});
