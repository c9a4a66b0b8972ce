/** The shared fixture harness (juju-secrets-core/test-support, not published) bound to valkey_client: its endpoint and recordings. */
import { fixtureLoader, relatedModelFor } from "../../juju-secrets-core/test-support/harness.js";

export * from "../../juju-secrets-core/test-support/harness.js";

export const ENDPOINT = "valkey-client";
export const loadFixture = fixtureLoader<"valkey_client.v1" | "valkey_client.v0-requirer">(import.meta.url);
/** provider (2 units) and requirer (2 units), related on `valkey-client`, leaders the /0 units. */
export const relatedModel = relatedModelFor(ENDPOINT, "valkey_client");
