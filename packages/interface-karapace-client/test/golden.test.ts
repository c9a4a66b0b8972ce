/**
 * The recorded Python lifecycle (fixtures/karapace_client.v0.json) both ways:
 * - our requirer facing the recorded provider bag and secrets writes the recorded request and unit
 *   bags, binds the recorded consumer labels, reports what Python observed, and follows the rotation
 *   (`credentialsRotated`, where `KarapaceRequires` ignored secret-changed);
 * - our provider facing the recorded requirer bag writes the recorded keys, `data` bytes, secret
 *   contents, owner labels and grants, and the rotated revision 2.
 * Secret ids are random per run: URIs are mapped before comparing, everything else byte for byte.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { type KarapaceConnection, KarapaceProvider, KarapaceRequirer } from "../src/index.js";
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
      owner_label: string;
      latest_revision: number;
    }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/karapace_client.v0.json", import.meta.url), "utf8"),
) as {
  model_uuid: string;
  after_relate: Snapshot;
  before_remove_relation: Snapshot;
};
const REC = fixture.after_relate;
const LATER = fixture.before_remove_relation;
// The recording used `karapace-client`; karapace-operator names its endpoint `karapace` (the default).
const EP = "karapace-client";
const ENDPOINTS = { [EP]: "provides:karapace_client" as const };
const sha8 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);
const noop: HookRunner = async () => {};
const mapUris = (text: string, map: Record<string, string>) =>
  Object.entries(map).reduce((out, [from, to]) => out.split(from).join(to), text);

function simulation() {
  return new Simulation({ uuid: fixture.model_uuid, lifecycle: false, secretRemoveHooks: false });
}

describe("golden fixture: our requirer against the recorded provider", () => {
  it("writes the recorded request, resolves the recorded answer like Python, follows the rotation", async () => {
    const seen = new Map<string, { event: string; connection: KarapaceConnection }[]>();
    const sim = simulation();
    sim.deploy("provider", { runner: noop, units: 2, endpoints: ENDPOINTS });
    sim.deploy("requirer", {
      runner: charmRunner((charm) => {
        const r = new KarapaceRequirer(charm, {
          endpoint: EP,
          subject: "test-subject",
          extraUserRoles: ["user"],
        });
        for (const event of ["subjectAllowed", "credentialsRotated", "serverChanged"] as const)
          r.on(
            event,
            ({ connection }) =>
              void seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), { event, connection }]),
          );
      }),
      units: 2,
      endpoints: { [EP]: "requires:karapace_client" as const },
    });
    await sim.settle();
    const id = sim.relate(`provider:${EP}`, `requirer:${EP}`);
    await sim.settle();
    expect(sim.model.appBag(id, "requirer")).toEqual(REC.requirer_app_databag);
    const { data: _d, ...copies } = REC.requirer_unit_databags["requirer/0"]!;
    expect(sim.model.unitBag(id, "requirer/0")).toEqual({ ...copies, data: "{}" });
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ data: "{}" });

    // The recorded provider: its secrets (same owner labels, contents, grants) and its app bag.
    const map: Record<string, string> = {};
    for (const [uri, s] of Object.entries(REC.secrets))
      map[uri] = sim.model.addSecret({
        owner: "provider",
        label: s.owner_label,
        content: s.content_by_revision["1"]!,
        grants: [{ relationId: id }],
      });
    const bag = Object.fromEntries(
      Object.entries(REC.provider_app_databag).map(([k, v]) => [k, mapUris(v, map)]),
    );
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: EP, id }, bag, true),
    });
    expect((await sim.settle()).settled).toBe(true);

    for (const unit of ["requirer/0", "requirer/1"]) {
      expect(sim.model.unitBag(id, unit).data).toBe(mapUris(REC.requirer_unit_databags[unit]!.data!, map));
      const events = seen.get(unit)!;
      expect(events.map((e) => e.event)).toEqual(["subjectAllowed"]);
      const c = events[0]!.connection;
      expect({
        database: null,
        endpoints: c.endpoints.join(","),
        password_present: c.password !== undefined,
        password_sha8: sha8(c.password!),
        read_only_endpoints: null,
        relation_id: c.relation.id,
        subject: c.subject,
        tls: c.tls ? "enabled" : "disabled",
        tls_ca_present: c.tlsCa !== undefined,
        uris_present: false,
        username: c.username,
        version: null,
      }).toEqual(REC.requirer_observed[unit]);
    }
    for (const [uri, s] of Object.entries(REC.secrets)) {
      const ours = sim.model.secret(map[uri]!)!;
      expect(Object.values(ours.consumerLabels).sort()).toEqual(s.consumer_labels.flatMap((l) => [l, l]));
      expect(ours.tracking).toEqual({ "requirer/0": 1, "requirer/1": 1 });
    }

    // The recorded rotation (user secret revision 2): the Python requirer ignored secret-changed and
    // kept the old password (recorded sha8 unchanged); ours follows it (credentialsRotated, revision 2).
    expect(LATER.requirer_observed["requirer/0"]!.password_sha8).toBe(
      REC.requirer_observed["requirer/0"]!.password_sha8,
    );
    const [userUri, user] = Object.entries(LATER.secrets).find(([, s]) => s.latest_revision === 2)!;
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) => b.secretSet(map[userUri]!, { content: user.content_by_revision["2"]! }),
    });
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["requirer/0", "requirer/1"]) {
      const last = seen.get(unit)!.at(-1)!;
      expect(last.event).toBe("credentialsRotated");
      expect(last.connection.password).toBe(user.content_by_revision["2"]!.password);
      expect(sim.model.unitBag(id, unit).data).toBe(mapUris(LATER.requirer_unit_databags[unit]!.data!, map));
    }
    expect(sim.model.secret(map[userUri]!)!.tracking).toEqual({ "requirer/0": 2, "requirer/1": 2 });
  });
});

describe("golden fixture: our provider against the recorded requirer", () => {
  const userOf = (s: Snapshot, rev: string) =>
    Object.values(s.secrets).find((x) => x.owner_label === `${EP}.0.user.secret`)!.content_by_revision[rev]!;

  it("publishes the recorded keys, data bytes, secret contents, labels and grants; rotation gives revision 2", async () => {
    let password = userOf(REC, "1").password!;
    const sim = simulation();
    sim.deploy("provider", {
      runner: charmRunner((charm) => {
        const p = new KarapaceProvider(charm, { endpoint: EP });
        // karapace-operator's order on subject_requested: endpoints, credentials, tls, subject.
        p.on("subjectRequested", ({ request }) =>
          p.publish(request, {
            endpoints: ["10.1.0.10:8081"],
            username: `relation-${request.relation.id}`,
            password,
            tls: false,
            subject: request.subject,
          }),
        );
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) p.publishAll({ password });
        });
      }),
      units: 2,
      endpoints: ENDPOINTS,
    });
    sim.deploy("requirer", {
      runner: noop,
      units: 2,
      endpoints: { [EP]: "requires:karapace_client" as const },
    });
    await sim.settle();
    const id = sim.relate(`provider:${EP}`, `requirer:${EP}`);
    await sim.settle();
    await sim.runHook("requirer/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: EP, id }, REC.requirer_app_databag, true),
    });
    expect((await sim.settle()).settled).toBe(true);

    const ours = sim.model.appBag(id, "provider");
    expect(Object.keys(ours).sort()).toEqual(Object.keys(REC.provider_app_databag).sort());
    for (const k of ["data", "subject", "endpoints"]) expect(ours[k], k).toBe(REC.provider_app_databag[k]);
    for (const [uri, s] of Object.entries(REC.secrets)) {
      const key = Object.entries(REC.provider_app_databag).find(([, v]) => v === uri)![0];
      const mine = sim.model.secret(ours[key]!)!;
      expect(mine.label).toBe(s.owner_label);
      expect(mine.owner).toEqual({ kind: "application", app: "provider" });
      expect(mine.grants).toEqual([{ relationId: id, kind: "application", target: "requirer" }]);
      expect(sim.model.secretContent(ours[key]!)).toEqual(s.content_by_revision["1"]);
      expect(mine.latestRevision).toBe(1);
    }
    expect(sim.model.unitBag(id, "provider/0")).toEqual(REC.provider_unit_databags["provider/0"]);

    password = userOf(LATER, "2").password!;
    sim.configure("provider", {});
    const settled = await sim.settle();
    expect(settled.failed.map((f) => String(f.error))).toEqual([]);
    expect(sim.model.secret(ours["secret-user"]!)!.latestRevision).toBe(2);
    expect(sim.model.secretContent(ours["secret-user"]!)).toEqual(userOf(LATER, "2"));
    expect(sim.model.appBag(id, "provider")).toEqual(ours);
  });
});
