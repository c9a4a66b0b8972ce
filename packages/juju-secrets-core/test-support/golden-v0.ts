/**
 * The golden-fixture suite every v0 interface package runs against its recording of the Python library
 * (`fixtures/<interface>.v0.json`), both ways:
 * - our requirer facing the recorded provider bag and secrets writes the recorded requirer bags and
 *   snapshots, binds the recorded consumer labels, reports what Python observed, and follows the
 *   recorded rotation (Python's requirer emitted nothing for it, I-1);
 * - our provider facing the recorded requirer bag publishes the recorded keys, `data` bytes, secret
 *   contents, owner labels and grants, and the rotated revision 2.
 * Secret ids are random per run: URIs are mapped before comparing, everything else byte for byte.
 * A package gives its classes, its observation mapping and its answer; the rules are written once here.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Charm } from "../src/hook/charm.js";
import { charmRunner, type EndpointInput, type HookRunner, Simulation } from "../src/testing/index.js";
import type { RelationRef } from "../src/types.js";
import type { Fixture } from "./harness.js";

type Bag = Record<string, string>;

export interface GoldenConnection {
  readonly relation: RelationRef;
  readonly password?: string | undefined;
}

export interface GoldenV0Spec<C extends GoldenConnection> {
  /** `new URL("./fixtures/<interface>.v0.json", import.meta.url)`. */
  readonly fixture: URL;
  readonly interfaceName: string;
  readonly endpoint: string;
  /** Our requirer, asking what the recorded one asked; `record(event)` is the handler for `event`. */
  requirer(charm: Charm, record: (event: string) => (e: { readonly connection: C }) => void): void;
  /** The events `requirer` records: created first, then the rotation event. */
  readonly events: { readonly created: string; readonly rotated: string };
  /** A connection as the Python recorder wrote it (`requirer_observed`). */
  observed(c: C, sha8: (s: string) => string): Record<string, unknown>;
  /** More checks on the connection of the created event. */
  created?(c: C): void;
  /** More checks on the connection after the recorded rotation (revision 2 of the user secret). */
  rotated?(c: C, content: Bag): void;
  /** Our provider, answering like the recorded one with `password.value`, on request and config-changed. */
  provider(charm: Charm, password: { value: string }): void;
  /** Plain keys of the provider app bag compared byte for byte. */
  readonly plainKeys: readonly string[];
}

const sha8 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);
const noop: HookRunner = async () => {};
const mapUris = (text: string, map: Record<string, string>) =>
  Object.entries(map).reduce((out, [from, to]) => out.split(from).join(to), text);

export function goldenV0Suite<C extends GoldenConnection>(spec: GoldenV0Spec<C>): void {
  const fixture = JSON.parse(readFileSync(spec.fixture, "utf8")) as Fixture;
  const REC = fixture.after_relate;
  const LATER = fixture.before_remove_relation;
  const EP = spec.endpoint;
  const endpoints = (role: "provides" | "requires"): Record<string, EndpointInput> => ({
    [EP]: `${role}:${spec.interfaceName}` as EndpointInput,
  });
  const simulation = () =>
    new Simulation({ uuid: fixture.model_uuid, lifecycle: false, secretRemoveHooks: false });

  describe("golden fixture: our requirer against the recorded provider", () => {
    async function setup() {
      const seen = new Map<string, { event: string; connection: C }[]>();
      const sim = simulation();
      sim.deploy("provider", { runner: noop, units: 2, endpoints: endpoints("provides") });
      sim.deploy("requirer", {
        runner: charmRunner((charm) =>
          spec.requirer(charm, (event) => (e) => {
            seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), { event, connection: e.connection }]);
          }),
        ),
        units: 2,
        endpoints: endpoints("requires"),
      });
      await sim.settle();
      const id = sim.relate(`provider:${EP}`, `requirer:${EP}`);
      expect(id).toBe(0);
      await sim.settle();
      return { sim, id, seen };
    }

    it("writes the recorded requirer app bag and the leader's unit copies, byte for byte, in relation-created", async () => {
      const { sim, id } = await setup();
      expect(sim.model.appBag(id, "requirer")).toEqual(REC.requirer_app_databag);
      const created = sim.hooks.find((h) => h.unit === "requirer/0" && h.kind === "relation-created")!;
      expect(created.databags.find((d) => d.bag === "app")?.set).toEqual(REC.requirer_app_databag);
      // requirer/0 is the leader: Python keeps the list copies in its unit bag too. Before the provider
      // answered, each unit's snapshot is the empty one (Python writes `{}` too).
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
        runner: async (b) => b.relationSet({ endpoint: EP, id }, bag, true),
      });
      expect((await sim.settle()).settled).toBe(true);

      for (const unit of ["requirer/0", "requirer/1"]) {
        expect(sim.model.unitBag(id, unit).data).toBe(mapUris(REC.requirer_unit_databags[unit]!.data!, map));
        const events = seen.get(unit)!;
        expect(events.map((e) => e.event)).toEqual([spec.events.created]);
        expect(spec.observed(events[0]!.connection, sha8)).toEqual(REC.requirer_observed[unit]);
        spec.created?.(events[0]!.connection);
      }
      for (const [recordedUri, s] of Object.entries(REC.secrets)) {
        const ours = sim.model.secret(map[recordedUri]!)!;
        expect(Object.values(ours.consumerLabels).sort()).toEqual(s.consumer_labels.flatMap((l) => [l, l]));
        expect(ours.tracking).toEqual({ "requirer/0": 1, "requirer/1": 1 });
      }

      // The recorded rotation (revision 2 of the user secret): Python emitted nothing (I-1); we do.
      const [userUri, user] = Object.entries(LATER.secrets).find(([, s]) => s.latest_revision === 2)!;
      const content = user.content_by_revision["2"]!;
      await sim.runHook("provider/0", "update-status", {
        runner: async (b) => b.secretSet(map[userUri]!, { content }),
      });
      expect((await sim.settle()).settled).toBe(true);
      for (const unit of ["requirer/0", "requirer/1"]) {
        const last = seen.get(unit)!.at(-1)!;
        expect(last.event).toBe(spec.events.rotated);
        expect(last.connection.password).toBe(content.password);
        spec.rotated?.(last.connection, content);
        // No databag changed: the snapshot stays the recorded one.
        expect(sim.model.unitBag(id, unit).data).toBe(
          mapUris(LATER.requirer_unit_databags[unit]!.data!, map),
        );
      }
    });
  });

  describe("golden fixture: our provider against the recorded requirer", () => {
    const userOf = (snapshot: typeof REC) =>
      Object.values(snapshot.secrets).find((s) => s.owner_label.endsWith(".user.secret"))!;

    it("publishes the recorded keys, data bytes, secret contents, labels and grants; rotation gives revision 2", async () => {
      const rev2 = userOf(LATER).content_by_revision["2"]!;
      const password = { value: userOf(REC).content_by_revision["1"]!.password! };
      const sim = simulation();
      sim.deploy("provider", {
        runner: charmRunner((charm) => spec.provider(charm, password)),
        units: 2,
        endpoints: endpoints("provides"),
      });
      sim.deploy("requirer", { runner: noop, units: 2, endpoints: endpoints("requires") });
      await sim.settle();
      const id = sim.relate(`provider:${EP}`, `requirer:${EP}`);
      await sim.settle();
      await sim.runHook("requirer/0", "update-status", {
        runner: async (b) => b.relationSet({ endpoint: EP, id }, REC.requirer_app_databag, true),
      });
      expect((await sim.settle()).settled).toBe(true);

      const ours = sim.model.appBag(id, "provider");
      expect(Object.keys(ours).sort()).toEqual(Object.keys(REC.provider_app_databag).sort());
      for (const k of spec.plainKeys) expect(ours[k], k).toBe(REC.provider_app_databag[k]);
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
      expect(sim.model.secret(ours["secret-user"]!)!.latestRevision).toBe(2);
      expect(sim.model.secretContent(ours["secret-user"]!)).toEqual(rev2);
      expect(sim.model.appBag(id, "provider")).toEqual(ours); // no databag changed, as recorded
    });
  });
}
