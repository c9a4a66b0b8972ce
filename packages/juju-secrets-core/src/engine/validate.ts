/**
 * The definition's schemas applied to remote data, once per value: a provider's answer (the raw bag
 * or response object, then each secret's content) and a requirer's request. Each gives back the
 * parsed value, so nothing is parsed twice.
 */

import type { ProviderRequest } from "../contract/types.js";
import type { RemoteDataIssue } from "../errors.js";
import type { StringBag } from "../protocol/bag.js";
import type { SecretGroup } from "../protocol/secrets.js";
import { type BagContext, zodIssues } from "../schema/parse.js";
import type { Contract, RelationRef } from "../types.js";
import type { AnyDefinition, ObjectSchema } from "./definition.js";

export type Checked =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly issues: readonly RemoteDataIssue[] };

function run(
  schema: ObjectSchema | undefined,
  input: unknown,
  context: BagContext,
  rename: (key: string) => string,
): Checked {
  if (!schema) return { ok: true, value: input as Record<string, unknown> };
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: zodIssues(result.error, input, context).map((i) => ({ ...i, key: rename(i.key) })),
  };
}

/** The schema of a provider's answer under a contract: the v0 app bag, or one v1 response object. */
export function answerSchema(definition: AnyDefinition, contract: Contract): ObjectSchema | undefined {
  const s = definition.schemas;
  return contract === "v1" ? s?.v1?.response : s?.v0?.providerApp;
}

/**
 * A provider's raw answer (before any secret is read). v1 issues name the response
 * (`requests[<request-id>].<key>`).
 */
export function checkAnswer(
  definition: AnyDefinition,
  contract: Contract,
  bag: Readonly<StringBag>,
  requestId: string | undefined,
  relation: RelationRef,
): Checked {
  const at = contract === "v1" ? `requests[${requestId ?? "?"}].` : "";
  return run(
    answerSchema(definition, contract),
    bag,
    { relation, side: "provider", bag: "app" },
    (k) => at + k,
  );
}

/**
 * One secret's content as resolved, against the group's schema (what a published secret must hold;
 * which fields an answer needs is the `ready` list's job). Issues name where to look:
 * `secret-<group>/<field>`.
 */
export function checkSecret(
  definition: AnyDefinition,
  group: SecretGroup,
  content: Readonly<StringBag>,
  relation: RelationRef,
): Checked {
  const schema = definition.schemas?.secrets[group];
  return run(schema, content, { relation, side: "provider", bag: "app" }, (k) => `secret-${group}/${k}`);
}

/** A requirer's request: the v0 app bag, or one v1 request object (issues name `requests[<id>].<key>`). */
export function checkRequest(
  definition: AnyDefinition,
  request: ProviderRequest,
): readonly RemoteDataIssue[] {
  const s = definition.schemas;
  const v1 = request.contract === "v1";
  const schema = v1 ? s?.v1?.request : s?.v0?.requirerApp;
  const at = v1 ? `requests[${request.requestId ?? "?"}].` : "";
  const result = run(
    schema,
    request.raw,
    { relation: request.relation, side: "requirer", bag: "app" },
    (k) => at + k,
  );
  return result.ok ? [] : result.issues;
}
