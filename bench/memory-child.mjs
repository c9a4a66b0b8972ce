/**
 * Child process of bench/memory.ts: one provider hook (config-changed → republish endpoints on every
 * relation) run against a replay of the hook-tool answers recorded by the parent, then its peak RSS
 * from `process.resourceUsage().maxRSS` on stdout (JSON). Plain JS on purpose: no TypeScript loader
 * in the measured process, only node, the core and the interface package as a charm would load them.
 *
 * argv: <recording.ndjson> <package|engine>
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [file, impl] = process.argv.slice(2);
const repo = fileURLToPath(new URL("..", import.meta.url));
const core = await import(`${repo}packages/juju-secrets-core/dist/index.js`);

/** The same lean provider as bench/lib/interfaces.ts (postgresql_client), in both variants. */
async function providerSetup() {
  const endpoints = (charm) => String(charm.model.config().endpoints ?? "").split(",");
  if (impl === "package") {
    const pg = await import(`${repo}packages/interface-postgresql-client/dist/index.js`);
    return (charm) => {
      const p = new pg.PostgresqlProvider(charm, "database");
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) p.publishAll({ endpoints: endpoints(charm) });
      });
    };
  }
  const definition = {
    name: "postgresql_client",
    resourceKey: "database",
    readyFields: ["username", "password", "endpoints"],
  };
  return (charm) => {
    const p = new core.DataProvider(charm, "database", definition);
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) p.publishAll({ endpoints: endpoints(charm).join(",") });
    });
  };
}

const setup = await providerSetup();
const baseline = process.resourceUsage().maxRSS;

// The recording: a header line (hook context), then one line per hook-tool call: method, args, result.
const text = readFileSync(file, "utf8");
let at = text.indexOf("\n") + 1;
const context = JSON.parse(text.slice(0, at - 1));
let calls = 0;
const replay = new Proxy(
  {},
  {
    get(_, method) {
      return (...args) => {
        const end = text.indexOf("\n", at);
        if (end < 0) throw new Error(`replay: no recorded answer left for ${String(method)}`);
        const entry = JSON.parse(text.slice(at, end));
        at = end + 1;
        calls++;
        if (entry.m !== method || JSON.stringify(entry.a) !== JSON.stringify(args)) {
          throw new Error(
            `replay: expected ${entry.m}(${JSON.stringify(entry.a)}), got ${String(method)}(${JSON.stringify(args)})`,
          );
        }
        return entry.r;
      };
    },
  },
);

const loaded = process.resourceUsage().maxRSS;
const start = performance.now();
const charm = new core.Charm({ backend: replay, context });
setup(charm);
await charm.dispatch();
const ms = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({
    calls,
    ms,
    recordingBytes: text.length,
    maxRssKiB: { baseline, loaded, peak: process.resourceUsage().maxRSS },
    heapUsedMiB: process.memoryUsage().heapUsed / 1048576,
  })}\n`,
);
