/**
 * Run by `hardening-files.test.ts` in a subprocess (a blocking read would freeze the test runner):
 * relate a legacy etcd provider and a requirer whose `tlsAvailable` handler saves the client
 * credentials to the paths given, and print what each save did as one JSON line.
 *
 * argv[2]: JSON `{ paths, generation?, stateDir? }`; `generation` picks the credentials (0 or 1).
 */

import { EtcdRequirer } from "@charm-relations/interface-etcd";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { etcdLegacyProvider } from "../../src/interfaces/etcd-legacy.js";

interface Spec {
  readonly paths: { readonly key?: string; readonly cert?: string; readonly ca?: string };
  readonly generation?: number;
  readonly stateDir?: string;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
const outcomes: Record<string, unknown>[] = [];
const sim = new Simulation({ lifecycle: true });
sim.deploy("etcd", {
  runner: charmRunner(etcdLegacyProvider()),
  units: 1,
  endpoints: { db: "provides:etcd" },
  config: { rotate: spec.generation ?? 0 },
});
sim.deploy("kcp", {
  runner: charmRunner((charm) => {
    const requirer = new EtcdRequirer(charm, { endpoint: "etcd", stateDir: spec.stateDir ?? false });
    requirer.on("tlsAvailable", () => {
      try {
        outcomes.push({ ok: true, ...requirer.saveClientCredentials(spec.paths) });
      } catch (error) {
        const e = error as Error & { path?: string };
        outcomes.push({ ok: false, name: e.name, message: e.message, path: e.path });
      }
    });
  }),
  units: 1,
  endpoints: { etcd: "requires:etcd" },
});
await sim.settle();
sim.relate("etcd:db", "kcp:etcd");
const result = await sim.settle();
const logs = sim.model.logs("kcp/0").map((l) => `${l.level} ${l.message}`);
process.stdout.write(`${JSON.stringify({ settled: result.settled, outcomes, logs })}\n`);
