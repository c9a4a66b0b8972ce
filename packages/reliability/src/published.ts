/**
 * What the interface packages publish, found from their exports (nothing listed by hand, so a new
 * schema is covered the day it is exported): every zod schema, and every JSON Schema document
 * (`*JsonSchema(s)()` functions, plus the wire JSON Schema of each zod schema).
 */

import * as connect from "@charm-relations/interface-connect-client";
import * as etcd from "@charm-relations/interface-etcd";
import * as etcdClient from "@charm-relations/interface-etcd-client";
import * as postgresql from "@charm-relations/interface-postgresql-client";
import * as valkey from "@charm-relations/interface-valkey-client";
import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

export const INTERFACE_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "interface-connect-client": connect,
  "interface-etcd": etcd,
  "interface-etcd-client": etcdClient,
  "interface-postgresql-client": postgresql,
  "interface-valkey-client": valkey,
};

/** Every exported zod schema, as `<package>.<export>`. */
export function exportedZodSchemas(): [string, z.ZodType][] {
  const out: [string, z.ZodType][] = [];
  for (const [pkg, mod] of Object.entries(INTERFACE_MODULES)) {
    for (const [name, value] of Object.entries(mod)) {
      if (value instanceof z.ZodType) out.push([`${pkg}.${name}`, value]);
    }
  }
  return out;
}

/** Every published JSON Schema document, as `<package>.<export>[.<name>]`. */
export function publishedJsonSchemas(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [pkg, mod] of Object.entries(INTERFACE_MODULES)) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === "function" && /JsonSchemas?$/i.test(name) && value.length === 0) {
        out.push([`${pkg}.${name}()`, (value as () => unknown)()]);
      }
    }
  }
  for (const [name, schema] of exportedZodSchemas()) out.push([`wire(${name})`, toWireJsonSchema(schema)]);
  return out;
}
