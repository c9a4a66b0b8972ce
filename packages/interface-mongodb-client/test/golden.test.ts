/**
 * The recorded Python lifecycle (fixtures/mongodb_client.v0.json) both ways:
 * - our requirer facing the recorded provider bag and secrets produces the recorded requirer bags,
 *   snapshots, consumer labels and observations (and sees the rotation the Python requirer ignores);
 * - our provider facing the recorded requirer bag produces the recorded keys, `data` bytes, secret
 *   contents, owner labels and grants (and the rotated revision 2).
 * Secret ids are random per run: URIs are mapped before comparing, everything else byte for byte.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { type MongodbConnection, MongodbProvider, MongodbRequirer, mongodbUri } from "../src/index.js";
import { charmRunner } from "../src/testing.js";

interface Snapshot {
  provider_app_databag: Record<string, string>;
  provider_unit_databags: Record<string, Record<string, string>>;
  requirer_app_databag: Record<string, string>;
  requirer_unit_databags: Record<string, Record<string, string>>;
  requirer_observed: Record<string, Record<string, unknown>>;
  secrets: Record<
    string,
    {
      consumer_labels: string[];
      content_by_revision: Record<string, Record<string, string>>;
      grants: Record<string, string[]>;
      latest_revision: number;
      owner: string;
      owner_label: string;
    }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/mongodb_client.v0.json", import.meta.url), "utf8"),
) as {
  model_uuid: string;
  after_relate: Snapshot;
  before_remove_relation: Snapshot;
};
const REC = fixture.after_relate;
const LATER = fixture.before_remove_relation;
const sha8 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);
const noop: HookRunner = async () => {};

function simulation() {
  return new Simulation({ uuid: fixture.model_uuid, lifecycle: false, secretRemoveHooks: false });
}

/** Replace every recorded URI in a value by ours (and back), so the rest compares byte for byte. */
function mapUris(text: string, map: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(map)) out = out.split(from).join(to);
  return out;
}

describe("golden fixture: our requirer against the recorded provider", () => {
  async function setup() {
    const seen = new Map<string, { event: string; connection: MongodbConnection }[]>();
    const sim = simulation();
    sim.deploy("provider", { runner: noop, units: 2, endpoints: { database: "provides:mongodb_client" } });
    sim.deploy("requirer", {
      runner: charmRunner((charm) => {
        const r = new MongodbRequirer(charm, { endpoint: "database", database: "myapp" });
        const record = (event: string) => (e: { connection: MongodbConnection }) => {
          seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), { event, connection: e.connection }]);
        };
        r.on("databaseCreated", record("databaseCreated"));
        r.on("credentialsRotated", record("credentialsRotated"));
        r.on("endpointsChanged", record("endpointsChanged"));
      }),
      units: 2,
      endpoints: { database: "requires:mongodb_client" },
    });
    await sim.settle();
    const id = sim.relate("provider:database", "requirer:database");
    expect(id).toBe(0);
    await sim.settle();
    return { sim, id, seen };
  }

  it("writes the recorded requirer app bag and the leader's unit copies, byte for byte, in relation-created", async () => {
    const { sim, id } = await setup();
    expect(sim.model.appBag(id, "requirer")).toEqual(REC.requirer_app_databag);
    const created = sim.hooks.find((h) => h.unit === "requirer/0" && h.kind === "relation-created")!;
    expect(created.databags.find((d) => d.bag === "app")?.set).toEqual(REC.requirer_app_databag);
    // requirer/0 is the leader: Python keeps the list copies in its unit bag too.
    // Before the provider answered, each unit's snapshot is the empty one (Python writes `{}` too).
    const { data: _data, ...leaderCopies } = REC.requirer_unit_databags["requirer/0"]!;
    expect(sim.model.unitBag(id, "requirer/0")).toEqual({ ...leaderCopies, data: "{}" });
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ data: "{}" });
  });

  it("resolves the recorded answer like the Python requirer, with the same snapshots and consumer labels", async () => {
    const { sim, id, seen } = await setup();
    // Recreate the provider's secrets (same owner labels, contents, grants) and publish the recorded bag.
    const map: Record<string, string> = {};
    for (const [uri, s] of Object.entries(REC.secrets)) {
      map[uri] = sim.model.addSecret({
        owner: "provider",
        label: s.owner_label,
        content: s.content_by_revision["1"]!,
        grants: [{ relationId: id }],
      });
    }
    const bag = Object.fromEntries(
      Object.entries(REC.provider_app_databag).map(([k, v]) => [k, mapUris(v, map)]),
    );
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: "database", id }, bag, true),
    });
    expect((await sim.settle()).settled).toBe(true);

    for (const unit of ["requirer/0", "requirer/1"]) {
      const recorded = mapUris(REC.requirer_unit_databags[unit]!.data!, map);
      expect(sim.model.unitBag(id, unit).data).toBe(recorded);
      const observed = REC.requirer_observed[unit]!;
      const events = seen.get(unit)!;
      expect(events.map((e) => e.event)).toEqual(["databaseCreated"]);
      const c = events[0]!.connection;
      expect({
        database: c.database,
        endpoints: c.endpoints.join(","),
        password_present: c.password !== undefined,
        password_sha8: sha8(c.password!),
        read_only_endpoints: c.readOnlyEndpoints.length ? c.readOnlyEndpoints.join(",") : null,
        relation_id: c.relation.id,
        replset: c.replset,
        tls: c.tls ? "True" : null,
        tls_ca_present: c.tlsCa !== undefined,
        uris_present: c.uri !== undefined,
        uris_redacted: c.uri?.replace(`:${c.password}@`, ":<password>@"),
        username: c.username,
        version: c.version ?? null,
      }).toEqual(observed);
    }
    for (const [recordedUri, s] of Object.entries(REC.secrets)) {
      const ours = sim.model.secret(map[recordedUri]!)!;
      expect(Object.values(ours.consumerLabels).sort()).toEqual(s.consumer_labels.flatMap((l) => [l, l]));
      expect(ours.tracking).toEqual({ "requirer/0": 1, "requirer/1": 1 });
    }

    // The recorded rotation (revision 2 of the user secret): Python emitted nothing (I-1); we do.
    const [userUri, user] = Object.entries(LATER.secrets).find(([, s]) => s.latest_revision === 2)!;
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) => b.secretSet(map[userUri]!, { content: user.content_by_revision["2"]! }),
    });
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["requirer/0", "requirer/1"]) {
      const last = seen.get(unit)!.at(-1)!;
      expect(last.event).toBe("credentialsRotated");
      expect(last.connection.password).toBe(user.content_by_revision["2"]!.password);
      expect(last.connection.uri).toBe(user.content_by_revision["2"]!.uris);
      // No databag changed: the snapshot stays the recorded one.
      expect(sim.model.unitBag(id, unit).data).toBe(mapUris(LATER.requirer_unit_databags[unit]!.data!, map));
    }
  });
});

describe("golden fixture: our provider against the recorded requirer", () => {
  const rev1 = Object.values(REC.secrets).find((s) => s.owner_label === "database.0.user.secret")!
    .content_by_revision["1"]!;
  const rev2 = Object.values(LATER.secrets).find((s) => s.owner_label === "database.0.user.secret")!
    .content_by_revision["2"]!;

  function providerCharm(password: { value: string }): HookRunner {
    return charmRunner((charm) => {
      const p = new MongodbProvider(charm);
      const answer = (request: Parameters<MongodbProvider["publish"]>[0]) =>
        p.publish(request, {
          database: "myapp",
          username: "relation-0",
          password: password.value,
          // mongodb-operator's connection string; on rotation it changes with the password.
          uris: mongodbUri({
            username: "relation-0",
            password: password.value,
            hosts: ["10.1.0.10"],
            database: "myapp",
            replset: "provider",
          }),
          endpoints: "10.1.0.10",
          replset: "provider",
        });
      p.on("databaseRequested", ({ request }) => answer(request));
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) for (const r of p.requests()) answer(r);
      });
    });
  }

  it("publishes the recorded keys, data bytes, secret contents, labels and grants; rotation gives revision 2", async () => {
    const password = { value: rev1.password! };
    const sim = simulation();
    sim.deploy("provider", {
      runner: providerCharm(password),
      units: 2,
      endpoints: { database: "provides:mongodb_client" },
    });
    sim.deploy("requirer", { runner: noop, units: 2, endpoints: { database: "requires:mongodb_client" } });
    await sim.settle();
    const id = sim.relate("provider:database", "requirer:database");
    await sim.settle();
    await sim.runHook("requirer/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: "database", id }, REC.requirer_app_databag, true),
    });
    expect((await sim.settle()).settled).toBe(true);

    const ours = sim.model.appBag(id, "provider");
    expect(Object.keys(ours).sort()).toEqual(Object.keys(REC.provider_app_databag).sort());
    for (const k of ["data", "database", "endpoints", "replset"]) {
      expect(ours[k], k).toBe(REC.provider_app_databag[k]);
    }
    for (const [recordedUri, s] of Object.entries(REC.secrets)) {
      const key = Object.entries(REC.provider_app_databag).find(([, v]) => v === recordedUri)![0];
      const mine = sim.model.secret(ours[key]!)!;
      expect(mine.label).toBe(s.owner_label);
      expect(mine.owner).toEqual({ kind: "application", app: "provider" });
      expect(mine.grants).toEqual([{ relationId: id, kind: "application", target: "requirer" }]);
      expect(sim.model.secretContent(ours[key]!)).toEqual(s.content_by_revision["1"]);
      expect(mine.latestRevision).toBe(1);
    }
    expect(sim.model.unitBag(id, "provider/0")).toEqual(REC.provider_unit_databags["provider/0"]);

    // The recorded rotation: set_credentials in config-changed → revision 2 with the recorded content.
    password.value = rev2.password!;
    sim.configure("provider", {});
    const settled = await sim.settle();
    expect(settled.failed.map((f) => String(f.error))).toEqual([]);
    expect(settled.settled).toBe(true);
    const user = sim.model.secret(ours["secret-user"]!)!;
    expect(user.latestRevision).toBe(2);
    expect(sim.model.secretContent(ours["secret-user"]!)).toEqual(rev2);
    expect(sim.model.appBag(id, "provider")).toEqual(ours); // no databag changed, as recorded
  });
});
