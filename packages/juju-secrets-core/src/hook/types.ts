import type { RelationRef } from "../backend/types.js";

/** What kind of event a dispatch path names (juju-hook-tools.md §3). */
export type HookKind =
  | "install"
  | "start"
  | "stop"
  | "remove"
  | "config-changed"
  | "update-status"
  | "upgrade-charm"
  | "leader-elected"
  | "leader-settings-changed"
  | "pre-series-upgrade"
  | "post-series-upgrade"
  | "collect-metrics"
  | "meter-status-changed"
  | "secret-changed"
  | "secret-rotate"
  | "secret-remove"
  | "secret-expired"
  | "relation-created"
  | "relation-joined"
  | "relation-changed"
  | "relation-departed"
  | "relation-broken"
  | "storage-attached"
  | "storage-detaching"
  | "pebble-ready"
  | "pebble-custom-notice"
  | "pebble-check-failed"
  | "pebble-check-recovered"
  | "action"
  | "unknown";

/** Everything a hook knows about itself, parsed from JUJU_* variables (or built by the test harness). */
export interface HookContext {
  /** `hooks/db-relation-changed` or `actions/do-backup`. */
  readonly dispatchPath: string;
  /** Basename of the dispatch path (`db-relation-changed`, `do-backup`). */
  readonly hookName: string;
  readonly kind: HookKind;
  /** `app/0`. */
  readonly unitName: string;
  /** `app`. */
  readonly appName: string;
  readonly modelName: string;
  readonly modelUuid: string;
  /** `3.6.14`. */
  readonly jujuVersion: string;
  readonly charmDir?: string;
  /** Relation events: endpoint from JUJU_RELATION, id from JUJU_RELATION_ID (`endpoint:id`). */
  readonly relation?: RelationRef;
  readonly remoteApp?: string;
  /** Empty / absent for relation-created, relation-broken and app-bag changes. */
  readonly remoteUnit?: string;
  /** relation-departed only; may be this unit. */
  readonly departingUnit?: string;
  readonly secretId?: string;
  readonly secretLabel?: string;
  readonly secretRevision?: number;
  readonly actionName?: string;
  readonly storageId?: string;
  readonly workloadName?: string;
  /** Actions: JUJU_ACTION_UUID (a plain integer on Juju 3). */
  readonly actionUuid?: string;
  /** Storage hooks: JUJU_STORAGE_LOCATION and JUJU_STORAGE_KIND. */
  readonly storageLocation?: string;
  readonly storageKind?: string;
  /** pebble-custom-notice: JUJU_NOTICE_ID, JUJU_NOTICE_TYPE, JUJU_NOTICE_KEY. */
  readonly noticeId?: string;
  readonly noticeType?: string;
  readonly noticeKey?: string;
  /** pebble-check-failed / pebble-check-recovered: JUJU_PEBBLE_CHECK_NAME. */
  readonly pebbleCheckName?: string;
  /** Subordinates: JUJU_PRINCIPAL_UNIT. */
  readonly principalUnit?: string;
  readonly availabilityZone?: string;
}
