/**
 * Golden fixtures recorded from the real Python libraries (see the fixtures' README): every JSON
 * string must round-trip byte for byte, and the snapshots, v1 data entries, request ids and secret
 * labels must be recomputable from the other recorded values.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseBool, parseJsonArrayOfStrings, parseSecretUri, sameSecret } from "../src/protocol/codecs.js";
import { pyDumps } from "../src/protocol/json.js";
import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  groupOf,
  parseSecretLabel,
  secretKey,
  secretLabel,
  validateSecretContent,
} from "../src/protocol/secrets.js";
import { diffBags, parseV0Snapshot, v0Snapshot } from "../src/protocol/snapshot.js";
import {
  computeRequestId,
  formatRequests,
  formatV1Data,
  parseRequestsValue,
  parseV1Data,
  REQUEST_KEY_ORDER,
  RESPONSE_KEY_ORDER,
  serializeRequestObject,
  serializeResponseObject,
  type V1Object,
  v1DataEntry,
} from "../src/protocol/v1.js";

type Bag = Record<string, string>;
interface RecordedSecret {
  owner: string;
  owner_label: string;
  consumer_labels: string[];
  content_by_revision: Record<string, Record<string, string>>;
}
interface Snapshot {
  provider_app_databag: Bag;
  provider_unit_databags: Record<string, Bag>;
  requirer_app_databag: Bag;
  requirer_unit_databags: Record<string, Bag>;
  secrets: Record<string, RecordedSecret>;
}
interface Fixture {
  interface: string;
  model_uuid: string;
  relation_id: number;
  after_relate: Snapshot;
  before_remove_relation: Snapshot;
}

// The fixtures live outside the package; CHARM_RELATIONS_FIXTURES overrides the search.
const here = dirname(fileURLToPath(import.meta.url));
const candidates = [
  process.env["CHARM_RELATIONS_FIXTURES"],
  resolve(here, "fixtures"),
  resolve(here, "../../../fixtures"),
  "/work/shared/fixtures",
].filter((p): p is string => typeof p === "string" && p !== "");
const fixtureDir = candidates.find((p) => existsSync(p) && readdirSync(p).some((f) => f.endsWith(".json")));

const fixtures: [string, Fixture][] = fixtureDir
  ? readdirSync(fixtureDir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => [f, JSON.parse(readFileSync(join(fixtureDir, f), "utf8")) as Fixture])
  : [];

const STAGES = ["after_relate", "before_remove_relation"] as const;
const V0_FILES = ["connect_client.v0.json", "etcd_client.v0.json", "postgresql_client.v0.json"];
// dpcharmlibs ValkeyResponseModel fields, in model order.
const VALKEY_RESPONSE_FIELDS = ["sentinel-endpoints", "mode"];

function allBags(s: Snapshot): [string, Bag][] {
  return [
    ["provider app", s.provider_app_databag],
    ...Object.entries(s.provider_unit_databags).map(([u, b]): [string, Bag] => [`provider unit ${u}`, b]),
    ["requirer app", s.requirer_app_databag],
    ...Object.entries(s.requirer_unit_databags).map(([u, b]): [string, Bag] => [`requirer unit ${u}`, b]),
  ];
}

/** Every JSON-valued string reachable from a value, including strings nested in double-encoded JSON. */
function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    const t = value.trimStart()[0];
    if (t === "[" || t === "{") {
      out.push(value);
      jsonStrings(JSON.parse(value), out);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) jsonStrings(v, out);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) jsonStrings(v, out);
  }
  return out;
}

function fixture(name: string): Fixture {
  const found = fixtures.find(([f]) => f === name);
  if (!found) throw new Error(`fixture ${name} missing from ${fixtureDir}`);
  return found[1];
}

describe("golden fixtures", () => {
  it("are present (set CHARM_RELATIONS_FIXTURES to their directory)", () => {
    expect(fixtureDir, `none of ${candidates.join(", ")} holds the fixtures`).toBeDefined();
    expect(fixtures.map(([f]) => f)).toEqual(
      expect.arrayContaining([...V0_FILES, "valkey_client.v0-requirer.json", "valkey_client.v1.json"]),
    );
  });

  describe.each(fixtures)("%s", (_name, fx) => {
    it("every JSON string in every databag and secret round-trips through pyDumps byte for byte", () => {
      let checked = 0;
      for (const stage of STAGES) {
        const s = fx[stage];
        const values = [
          ...allBags(s).map(([, b]) => b),
          ...Object.values(s.secrets).map((x) => x.content_by_revision),
        ];
        for (const text of jsonStrings(values)) {
          expect(pyDumps(JSON.parse(text))).toBe(text);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(4);
    });

    it("requested-secrets and provided-secrets are Python's defaults", () => {
      for (const stage of STAGES) {
        for (const [where, bag] of allBags(fx[stage])) {
          for (const [key, expected] of [
            ["requested-secrets", DEFAULT_REQUESTED_SECRETS],
            ["provided-secrets", DEFAULT_PROVIDED_SECRETS],
          ] as const) {
            if (bag[key] === undefined) continue;
            const parsed = parseJsonArrayOfStrings(bag[key]);
            expect(parsed, `${where} ${key}`).toEqual({ ok: true, value: [...expected] });
            expect(pyDumps(expected)).toBe(bag[key]);
          }
        }
      }
    });

    it("each requirer unit's data is v0Snapshot of the provider app bag (v0 requirers)", () => {
      for (const stage of STAGES) {
        const s = fx[stage];
        if (s.requirer_app_databag["version"] === "v1") continue;
        for (const [unit, bag] of Object.entries(s.requirer_unit_databags)) {
          expect(bag["data"], unit).toBe(v0Snapshot(s.provider_app_databag));
          const parsed = parseV0Snapshot(bag["data"]);
          expect(parsed.ok).toBe(true);
          // The snapshot is up to date: nothing left to diff.
          const { data: _ignored, ...current } = s.provider_app_databag;
          expect(diffBags(parsed.bag, current)).toEqual({ added: [], changed: [], deleted: [] });
        }
      }
    });

    it("every secret URI parses, and owner/consumer labels parse back to this relation", () => {
      for (const stage of STAGES) {
        const s = fx[stage];
        for (const [where, bag] of allBags(s)) {
          for (const [key, value] of Object.entries(bag)) {
            if (key.startsWith("secret-")) expect(parseSecretUri(value), `${where} ${key}`).toBeDefined();
          }
        }
        for (const [uri, secret] of Object.entries(s.secrets)) {
          const parsedUri = parseSecretUri(uri);
          expect(parsedUri?.modelUuid).toBe(fx.model_uuid);
          for (const label of [secret.owner_label, ...secret.consumer_labels]) {
            const parts = parseSecretLabel(label);
            expect(parts, label).toBeDefined();
            expect(parts!.relationId).toBe(fx.relation_id);
            expect(secretLabel(parts!)).toBe(label);
            // Every content key belongs to the label's group.
            const latest =
              secret.content_by_revision[
                String(Math.max(...Object.keys(secret.content_by_revision).map(Number)))
              ]!;
            for (const field of Object.keys(latest))
              expect(groupOf(field), `${label} ${field}`).toBe(parts!.group);
            // The owner publishes the URI under secret-<group>: top level (v0) or in the request's response (v1).
            const ownerBag =
              secret.owner === "application:provider" ? s.provider_app_databag : s.requirer_app_databag;
            const key = secretKey(parts!.group);
            if (parts!.requestId === undefined) {
              expect(sameSecret(ownerBag[key], uri), `${label} → ${key}`).toBe(true);
            } else {
              const responses = parseRequestsValue(ownerBag["requests"]);
              expect(responses.ok).toBe(true);
              const response = responses.ok
                ? responses.requests.find((r) => r["request-id"] === parts!.requestId)
                : undefined;
              expect(sameSecret(response?.[key] as string, uri), `${label} → ${key}`).toBe(true);
            }
          }
          for (const content of Object.values(secret.content_by_revision)) {
            expect(validateSecretContent(content)).toEqual([]);
            if (content["tls"] !== undefined) expect(parseBool(content["tls"])).toBeDefined();
          }
        }
      }
    });
  });

  describe.each(V0_FILES)("v0 provider snapshot: %s", (name) => {
    it("provider app bag data is v0Snapshot of the recorded requirer app bag", () => {
      const fx = fixture(name);
      for (const stage of STAGES) {
        const s = fx[stage];
        expect(s.provider_app_databag["data"]).toBe(v0Snapshot(s.requirer_app_databag));
        // The recorded bags happen to be sorted already; the snapshot must not depend on input order.
        const reversed = Object.fromEntries(Object.entries(s.requirer_app_databag).reverse());
        expect(s.provider_app_databag["data"]).toBe(v0Snapshot(reversed));
      }
    });
  });

  describe("valkey_client.v0-requirer.json (Python v1 provider answering a v0 requirer)", () => {
    it("its provider data holds real arrays (I-12), which parseV0Snapshot reads back to the requirer's strings", () => {
      const s = fixture("valkey_client.v0-requirer.json").after_relate;
      const parsed = parseV0Snapshot(s.provider_app_databag["data"]);
      expect(parsed.ok).toBe(true);
      expect(parsed.bag["requested-secrets"]).toBe(s.requirer_app_databag["requested-secrets"]);
      expect(parsed.bag["provided-secrets"]).toBe(s.requirer_app_databag["provided-secrets"]);
      expect(parsed.bag["resource"]).toBe(s.requirer_app_databag["database"]);
    });
  });

  describe("valkey_client.v1.json", () => {
    for (const stage of STAGES) {
      describe(stage, () => {
        const s = () => fixture("valkey_client.v1.json")[stage];
        const requests = () => {
          const r = parseRequestsValue(s().requirer_app_databag["requests"]);
          if (!r.ok) throw new Error(r.error);
          return r.requests;
        };
        const responses = () => {
          const r = parseRequestsValue(s().provider_app_databag["requests"]);
          if (!r.ok) throw new Error(r.error);
          return r.requests;
        };
        const serializeResp = (r: V1Object) =>
          serializeResponseObject(r, { extraKeys: VALKEY_RESPONSE_FIELDS, trailingMtlsCert: true });

        it("request ids recompute from resource and salt", () => {
          const all = [...requests(), ...responses()];
          expect(all).toHaveLength(4);
          for (const obj of all) {
            expect(computeRequestId(obj["resource"] as string, obj["salt"] as string)).toBe(
              obj["request-id"],
            );
          }
        });

        it("requests and responses re-serialize byte for byte", () => {
          expect(
            formatRequests(requests().map((r) => serializeRequestObject(r, { trailingMtlsCert: true }))),
          ).toBe(s().requirer_app_databag["requests"]);
          expect(formatRequests(responses().map(serializeResp))).toBe(s().provider_app_databag["requests"]);
        });

        it("requests re-serialize from their minimal form (resource, request-id, salt)", () => {
          const minimal = requests().map((r) => ({
            resource: r["resource"],
            "request-id": r["request-id"],
            salt: r["salt"],
          }));
          expect(
            formatRequests(minimal.map((r) => serializeRequestObject(r, { trailingMtlsCert: true }))),
          ).toBe(s().requirer_app_databag["requests"]);
        });

        it("provider data is recomputed from the requests", () => {
          const data = formatV1Data(
            requests().map((r) => [
              r["request-id"] as string,
              v1DataEntry(serializeRequestObject(r), REQUEST_KEY_ORDER),
            ]),
          );
          expect(data).toBe(s().provider_app_databag["data"]);
          const parsed = parseV1Data(data);
          expect(parsed.ok).toBe(true);
          expect([...parsed.entries.keys()]).toEqual(requests().map((r) => r["request-id"]));
        });

        it("each requirer unit's data is recomputed from the responses", () => {
          const data = formatV1Data(
            responses().map((r) => [
              r["request-id"] as string,
              v1DataEntry(serializeResp(r), RESPONSE_KEY_ORDER),
            ]),
          );
          const units = Object.values(s().requirer_unit_databags);
          expect(units.length).toBeGreaterThan(0);
          for (const bag of units) expect(bag["data"]).toBe(data);
        });
      });
    }
  });
});
