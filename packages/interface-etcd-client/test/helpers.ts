/** Shared test helpers: the golden fixture, typed loosely, and small lookups into it. */
import { readFileSync } from "node:fs";

export interface FixtureSecret {
  consumer_labels: string[];
  content_by_revision: Record<string, Record<string, string>>;
  grants: Record<string, string[]>;
  latest_revision: number;
  owner: string;
  owner_label: string;
}

export interface FixtureSnapshot {
  leaders: Record<string, string>;
  provider_app_databag: Record<string, string>;
  provider_unit_databags: Record<string, Record<string, string>>;
  requirer_app_databag: Record<string, string>;
  requirer_unit_databags: Record<string, Record<string, string>>;
  requirer_observed: Record<string, Record<string, unknown>>;
  secrets: Record<string, FixtureSecret>;
}

export interface Fixture {
  after_relate: FixtureSnapshot;
  before_remove_relation: FixtureSnapshot;
  model_uuid: string;
  relation_id: number;
}

export const FIXTURE = JSON.parse(
  readFileSync(new URL("./fixtures/etcd_client.v0.json", import.meta.url), "utf8"),
) as Fixture;

/** The recorded secret with this owner label (`etcd-client.0.user.secret` …). */
export function fixtureSecret(
  snapshot: FixtureSnapshot,
  ownerLabel: string,
): FixtureSecret & { uri: string } {
  const entry = Object.entries(snapshot.secrets).find(([, s]) => s.owner_label === ownerLabel);
  if (!entry) throw new Error(`no recorded secret labelled ${ownerLabel}`);
  return { ...entry[1], uri: entry[0] };
}

/** The recorded Python requirer's client certificate (CN=requirer-charm), revision 1 and 2. */
export const RECORDED_CERT = fixtureSecret(FIXTURE.after_relate, "etcd-client.0.mtls.secret")
  .content_by_revision["1"]!["mtls-cert"]!;
export const RECORDED_CERT_REV2 = fixtureSecret(FIXTURE.before_remove_relation, "etcd-client.0.mtls.secret")
  .content_by_revision["2"]!["mtls-cert"]!;

/** interfaces.md §2.4, constructed v1 example (charmhub v1 library bytes). */
export const V1_REQUIRER_APP = {
  requests:
    '[{"resource": "/requirer/", "request-id": "608a1f70eef7ba96", "salt": "Qm3xV9tLr2aB7cWd", "extra-user-roles": null, "extra-group-roles": null, "external-node-connectivity": false, "entity-type": null, "entity-permissions": null, "secret-mtls": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh3a03iact07s1h9"}]',
  version: "v1",
};
export const V1_PROVIDER_APP = {
  data: '{"608a1f70eef7ba96": {"resource": "/requirer/", "request-id": "608a1f70eef7ba96", "salt": "Qm3xV9tLr2aB7cWd", "secret-mtls": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh3a03iact07s1h9"}}',
  requests:
    '[{"resource": "/requirer/", "request-id": "608a1f70eef7ba96", "salt": "Qm3xV9tLr2aB7cWd", "endpoints": "10.1.0.10:2379", "read-only-endpoints": null, "secret-user": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh3t2tkcltj4p51c", "secret-tls": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh45ot09hhs2cbeb", "secret-extra": null, "secret-entity": null, "version": "3.6.5"}]',
  version: "v1",
};
export const V1_REQUIRER_UNIT = {
  data: '{"608a1f70eef7ba96": {"resource": "/requirer/", "request-id": "608a1f70eef7ba96", "salt": "Qm3xV9tLr2aB7cWd", "endpoints": "10.1.0.10:2379", "secret-user": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh3t2tkcltj4p51c", "secret-tls": "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh45ot09hhs2cbeb", "version": "3.6.5"}}',
};
