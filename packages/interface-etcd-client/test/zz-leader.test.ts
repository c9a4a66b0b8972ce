import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { expect, it } from "vitest";
import { ENDPOINT, etcdProvider, etcdRequirer, inProcess, type LoggedEvent } from "./harness.js";
import { CLIENT1_CERT } from "./fixtures/certs.js";

it("leader scale-in", async () => {
  const sim = new Simulation();
  const log: LoggedEvent[] = [];
  sim.deploy("provider", { runner: inProcess(etcdProvider(log)), units: 2, endpoints: { [ENDPOINT]: "provides:etcd_client" } });
  sim.deploy("requirer", { runner: inProcess(etcdRequirer(log, {})), units: 2, endpoints: { [ENDPOINT]: "requires:etcd_client" }, config: { "mtls-cert": CLIENT1_CERT } });
  const rel = sim.relate("requirer", "provider");
  console.log(await sim.settle());
  sim.removeUnit("requirer/0");
  sim.removeUnit("provider/0");
  const r = await sim.settle();
  console.log(r, sim.model.secrets().map((s) => s.label));
  console.log(sim.model.appBag(rel, "provider"), sim.model.appBag(rel, "requirer"));
  for (const h of sim.hooks) if (h.secrets?.created.length) console.log(h.unit, h.hook, h.cause, h.secrets.created, h.databags.map(d=>JSON.stringify(d.set).slice(0,200)));
});
