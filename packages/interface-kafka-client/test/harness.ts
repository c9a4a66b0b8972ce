/** The shared fixture harness (juju-secrets-core/test-support, not published) bound to kafka_client: its endpoint and recordings. */
import { fixtureLoader, relatedModelFor } from "../../juju-secrets-core/test-support/harness.js";

export * from "../../juju-secrets-core/test-support/harness.js";

export const ENDPOINT = "kafka-client";
export const loadFixture = fixtureLoader<"kafka_client.v0">(import.meta.url);
/** provider (2 units) and requirer (2 units), related on `kafka-client`, leaders the /0 units. */
export const relatedModel = relatedModelFor(ENDPOINT, "kafka_client");
