/**
 * What `validate` judges beyond the interface schemas. The schemas read remote data leniently, as our
 * parsers must (comma lists trimmed, empty items dropped); `validate` answers a different question —
 * would the real charm on the other side cope with this bag? — so it also reports:
 *
 * - a comma list with an empty item (`10.0.0.1:2379,,`): the Python consumers split on `,` and use
 *   every item (`endpoints.split(",")`, the first endpoint for kafkacl, `--etcd-servers` verbatim),
 *   so an empty item becomes an empty host;
 * - a `requested-secrets` entry that names no provider field of the interface: a typo or a requirer
 *   field (`mtls-cert`) silently leaves the field it meant in plain relation data, or asks for nothing.
 *
 * Like every violation, these name the key and the rule, never the value.
 */

import type { Side } from "@charm-relations/juju-secrets-core/interface";
import {
  DEFAULT_REQUESTED_SECRETS,
  describeShape,
  SECRET_GROUPS,
} from "@charm-relations/juju-secrets-core/protocol";
import type { InterfaceEntry, JsonSchema } from "./interfaces.js";
import type { Violation } from "./validate.js";

/** The comma-list keys of the protocol (§2.3), valkey's sentinel endpoints in both spellings. */
const COMMA_LIST_KEYS: ReadonlySet<string> = new Set([
  "endpoints",
  "read-only-endpoints",
  "uris",
  "read-only-uris",
  "prefix-databases",
  "extra-user-roles",
  "extra-group-roles",
  "connection_string",
  "sentinel-endpoints",
  "sentinel_endpoints",
]);

/** Keys of a provider bag that are protocol machinery, not fields a requirer could ask to keep secret. */
const NOT_FIELDS: ReadonlySet<string> = new Set([
  "data",
  "status",
  "requests",
  "request-id",
  "resource",
  "salt",
  "encryption-secret",
  ...SECRET_GROUPS.mtls, // written by the requirer (`provided-secrets`), never by the provider
]);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function parseJsonText(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // the schema reports it
  }
}

function emptyItem(key: string, value: unknown): Violation[] {
  if (typeof value !== "string" || !value.includes(",")) return [];
  const items = value.split(",");
  const at = items.findIndex((item) => item.trim() === "");
  if (at === -1) return [];
  return [
    {
      key,
      rule: `comma list with an empty item (item ${at + 1} of ${items.length}): consumers split on "," and use every item`,
    },
  ];
}

function commaLists(bag: Obj, prefix: string): Violation[] {
  return Object.entries(bag).flatMap(([k, v]) =>
    COMMA_LIST_KEYS.has(k) ? emptyItem(`${prefix}${k}`, v) : [],
  );
}

/** v1 `requests`: each request or response object, named by its request id like the schema issues. */
function requestObjects(bag: Obj): [string, Obj][] {
  const list = Object.hasOwn(bag, "requests") ? parseJsonText(bag.requests) : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((r, i): [string, Obj][] => {
    if (!isObject(r)) return [];
    const id = typeof r["request-id"] === "string" ? r["request-id"] : String(i);
    return [[id, r]];
  });
}

const providerFieldCache = new WeakMap<InterfaceEntry, ReadonlySet<string>>();

/**
 * The fields a provider of `entry` writes, from its published JSON Schemas (v0 app bag properties,
 * v1 response properties), plus the secret-group fields and Python's default `requested-secrets`
 * (which every requirer sends whatever the interface: etcd_client's asks for `password` too).
 */
export function providerFields(entry: InterfaceEntry): ReadonlySet<string> {
  const cached = providerFieldCache.get(entry);
  if (cached) return cached;
  const fields = new Set<string>([
    ...DEFAULT_REQUESTED_SECRETS,
    ...SECRET_GROUPS.user,
    ...SECRET_GROUPS.tls,
    ...SECRET_GROUPS.entity,
  ]);
  const props = (s: unknown): string[] =>
    isObject(s) && isObject(s.properties) ? Object.keys(s.properties) : [];
  for (const contract of entry.contracts) {
    const app: JsonSchema = entry.jsonSchema("provider", contract).app;
    for (const k of props(app)) fields.add(k);
    const requests = isObject(app.properties) ? app.properties.requests : undefined;
    const content = isObject(requests) ? requests.contentSchema : undefined;
    for (const k of props(isObject(content) ? content.items : undefined)) fields.add(k);
  }
  for (const k of [...fields]) if (NOT_FIELDS.has(k) || k.startsWith("secret-")) fields.delete(k);
  providerFieldCache.set(entry, fields);
  return fields;
}

function requestedSecrets(entry: InterfaceEntry, bag: Obj): Violation[] {
  if (!Object.hasOwn(bag, "requested-secrets")) return [];
  const list = parseJsonText(bag["requested-secrets"]);
  if (!Array.isArray(list)) return [];
  const known = providerFields(entry);
  return list.flatMap((item, i) =>
    typeof item === "string" && !known.has(item)
      ? [
          {
            key: `requested-secrets[${i}]`,
            rule: `names no provider field of ${entry.name}`,
            shape: describeShape(item),
          },
        ]
      : [],
  );
}

/** The violations the schemas do not see, for a bag written by `side`. */
export function judge(entry: InterfaceEntry, bag: unknown, side: Side): Violation[] {
  if (!isObject(bag)) return [];
  return [
    ...commaLists(bag, ""),
    ...requestObjects(bag).flatMap(([id, r]) => commaLists(r, `requests[${id}].`)),
    ...(side === "requirer" ? requestedSecrets(entry, bag) : []),
  ];
}
