/**
 * connect_client test helpers: its recorded fixture and a related model on its endpoint; the fixture
 * harness and the JSON Schema validator are the shared ones (juju-secrets-core/test-support).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import type { Fixture } from "../../juju-secrets-core/test-support/harness.js";

export {
  type Bag,
  type Fixture,
  type HookOutcome,
  type RecordedSecret,
  type RecordedSnapshot,
  rewrite,
  rewriteBag,
  runHook,
  seedRecordedSecrets,
} from "../../juju-secrets-core/test-support/harness.js";
export {
  KNOWN_KEYWORDS,
  keywordsOf,
  validate as validateJsonSchema,
} from "../../juju-secrets-core/test-support/json-schema.js";

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = JSON.parse(
  readFileSync(join(here, "fixtures", "connect_client.v0.json"), "utf8"),
) as Fixture;

export const ENDPOINT = "connect-client";
export const RECORDED_PLUGIN_URL = "http://10.1.1.200:8080/route/to/plugin";

/** provider and requirer (2 units each by default), related on `connect-client` (id 0), leaders /0. */
export function relatedModel(
  options: { uuid?: string; providerUnits?: number; requirerUnits?: number; jujuVersion?: string } = {},
): {
  model: JujuModel;
  relationId: number;
} {
  const model = new JujuModel({
    uuid: options.uuid ?? fixture.model_uuid,
    ...(options.jujuVersion ? { jujuVersion: options.jujuVersion } : {}),
  });
  model.addApplication("provider", {
    endpoints: { [ENDPOINT]: "provides:connect_client" },
    units: options.providerUnits ?? 2,
  });
  model.addApplication("requirer", {
    endpoints: { [ENDPOINT]: "requires:connect_client" },
    units: options.requirerUnits ?? 2,
  });
  const relationId = model.addRelation(`provider:${ENDPOINT}`, `requirer:${ENDPOINT}`);
  return { model, relationId };
}
