/**
 * What an interface package tells the tools about itself (the CLI, the reliability suite, the bench):
 * one descriptor, exported from its main entry, that `@charm-relations/cli/registry` lists. Adding an
 * interface is one package and one registry line; nothing else names the interface.
 */

import type * as z from "zod";
import { toWireJsonSchema } from "../schema/codecs.js";
import type { BagKind, Contract, Side } from "../types.js";

export type JsonSchema = Record<string, unknown>;

/** The zod schemas of one side's databags under one contract. */
export interface BagSchemas {
  readonly app: z.ZodType;
  readonly unit: z.ZodType;
}

export interface InterfaceDescriptor {
  /** The Juju interface name (`postgresql_client`). */
  readonly name: string;
  /** The npm package (`@charm-relations/interface-postgresql-client`). */
  readonly package: string;
  readonly summary: string;
  /** The definition the engines run (none for interfaces outside data_interfaces, e.g. legacy etcd). */
  readonly definition?: unknown;
  /** Contracts whose schemas exist (what `validate` and `schema` know); first: the requirer's default. */
  readonly contracts: readonly Contract[];
  /** How the contract is told apart on the wire. */
  readonly contractNote: string;
  /** Endpoint names the real charms use (first: our default). */
  readonly endpoints: { readonly provider: readonly string[]; readonly requirer: readonly string[] };
  /** The bag a bare databag is checked as (legacy etcd has no application databag). */
  readonly defaultBag: BagKind;
  /** The v0 key carrying the request (`database`, `prefix`, `plugin-url`); null where there is none. */
  readonly resourceKey: string | null;
  /** Real charms on each side. */
  readonly charms: { readonly provider: string; readonly requirer: string };
  readonly schemas: Readonly<Record<Side, Readonly<Partial<Record<Contract, BagSchemas>>>>>;
  /** JSON Schemas (draft 2020-12) of one side's app and unit databags under one contract. */
  jsonSchema(side: Side, contract: Contract): { readonly app: JsonSchema; readonly unit: JsonSchema };
  /** Known gaps, shown by `charm-relations list`. */
  readonly notes?: readonly string[];
}

/** Identity, typed: `export const descriptor = describeInterface({...})`. */
export function describeInterface<const D extends InterfaceDescriptor>(descriptor: D): D {
  return descriptor;
}

/** `jsonSchema` from the descriptor's zod schemas (a contract without schemas of its own gets the v0 ones). */
export function bagJsonSchemas(schemas: InterfaceDescriptor["schemas"]): InterfaceDescriptor["jsonSchema"] {
  return (side, contract) => {
    const bags = schemas[side][contract] ?? schemas[side].v0;
    if (!bags) throw new TypeError(`no ${side} databag schemas for ${contract}`);
    return { app: toWireJsonSchema(bags.app), unit: toWireJsonSchema(bags.unit) };
  };
}
