import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EtcdClientCredentials } from "../src/index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export const pem = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

/** TEST-ONLY credentials made with openssl (client1/client2 signed by ca.pem). */
export const CREDS_1: EtcdClientCredentials = {
  key: pem("client1.key"),
  cert: pem("client1.pem"),
  ca: pem("ca.pem"),
};
export const CREDS_2: EtcdClientCredentials = {
  key: pem("client2.key"),
  cert: pem("client2.pem"),
  ca: pem("ca.pem"),
};

export interface LegacyFixture {
  inputs: { members: string[]; port: number; version: string };
  provider_app_databag: Record<string, string>;
  provider_unit_databags: Record<string, Record<string, string>>;
  requirer_app_databag: Record<string, string>;
  requirer_unit_databags: Record<string, Record<string, string>>;
  requirer_observed: Record<
    string,
    {
      connected: boolean;
      available: boolean;
      tls_available: boolean;
      connection_string: string;
      version: string;
      client_cert: string;
      client_ca: string;
      client_key_present: boolean;
    }
  >;
  spec_example: Record<string, Record<string, string>>;
}

export const fixture = (): LegacyFixture =>
  JSON.parse(readFileSync(join(FIXTURES, "etcd.legacy.json"), "utf8")) as LegacyFixture;

export const JUJU_KEYS = ["egress-subnets", "ingress-address", "private-address"];

export function withoutJujuKeys(bag: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(bag).filter(([k]) => !JUJU_KEYS.includes(k)));
}

/** A runner that builds a fresh Charm per hook, like `runCharm` in a real process (the core's). */
export { charmRunner } from "@charm-relations/juju-secrets-core/testing";

export const tempDir = (prefix = "etcd-test-"): string => mkdtempSync(join(tmpdir(), prefix));

/** Every PEM body line of the test material: none may ever appear in a log, status or error. */
export function secretFragments(): string[] {
  return [CREDS_1.key, CREDS_2.key].flatMap((k) =>
    k
      .split("\n")
      .filter((l) => l.length > 20 && !l.startsWith("-----"))
      .slice(0, 3),
  );
}
