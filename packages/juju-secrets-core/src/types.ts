/**
 * The few names every layer shares (the bottom of the core: nothing here imports anything).
 */

/** A relation as `<endpoint>:<id>` names it (`JUJU_RELATION_ID`, `-r db:7`), both parts at hand. */
export interface RelationRef {
  readonly endpoint: string;
  readonly id: number;
}

/** The two sides of a data-interfaces relation. */
export type Side = "provider" | "requirer";

/** An application databag or a unit databag. */
export type BagKind = "app" | "unit";

/** The databag layout: v0 flat, or v1 requests (protocol §1). */
export type Contract = "v0" | "v1";

/** A databag as read: every value a string. */
export type Databag = Readonly<Record<string, string>>;
