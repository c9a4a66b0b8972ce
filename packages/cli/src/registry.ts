/**
 * Every interface the tools know (`charm-relations`, the reliability suite, the bench): one line per
 * interface, its package's descriptor and its `/testing` descriptor. Adding an interface is its
 * package, its line here and its dependency line in this package's package.json.
 */

import * as connectClient from "@charm-relations/interface-connect-client";
import * as connectClientTesting from "@charm-relations/interface-connect-client/testing";
import * as etcd from "@charm-relations/interface-etcd";
import * as etcdTesting from "@charm-relations/interface-etcd/testing";
import * as etcdClient from "@charm-relations/interface-etcd-client";
import * as etcdClientTesting from "@charm-relations/interface-etcd-client/testing";
import * as kafkaClient from "@charm-relations/interface-kafka-client";
import * as kafkaClientTesting from "@charm-relations/interface-kafka-client/testing";
import * as karapaceClient from "@charm-relations/interface-karapace-client";
import * as karapaceClientTesting from "@charm-relations/interface-karapace-client/testing";
import * as mongodbClient from "@charm-relations/interface-mongodb-client";
import * as mongodbClientTesting from "@charm-relations/interface-mongodb-client/testing";
import * as mysqlClient from "@charm-relations/interface-mysql-client";
import * as mysqlClientTesting from "@charm-relations/interface-mysql-client/testing";
import * as opensearchClient from "@charm-relations/interface-opensearch-client";
import * as opensearchClientTesting from "@charm-relations/interface-opensearch-client/testing";
import * as postgresqlClient from "@charm-relations/interface-postgresql-client";
import * as postgresqlClientTesting from "@charm-relations/interface-postgresql-client/testing";
import * as valkeyClient from "@charm-relations/interface-valkey-client";
import * as valkeyClientTesting from "@charm-relations/interface-valkey-client/testing";
import type { InterfaceDescriptor } from "@charm-relations/juju-secrets-core/interface";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";

export interface RegistryEntry {
  readonly descriptor: InterfaceDescriptor;
  readonly testing: InterfaceTesting;
}

/** In the order of the README. */
export const REGISTRY: readonly RegistryEntry[] = [
  { descriptor: postgresqlClient.descriptor, testing: postgresqlClientTesting.testingDescriptor },
  { descriptor: etcdClient.descriptor, testing: etcdClientTesting.testingDescriptor },
  { descriptor: etcd.descriptor, testing: etcdTesting.testingDescriptor },
  { descriptor: valkeyClient.descriptor, testing: valkeyClientTesting.testingDescriptor },
  { descriptor: connectClient.descriptor, testing: connectClientTesting.testingDescriptor },
  { descriptor: kafkaClient.descriptor, testing: kafkaClientTesting.testingDescriptor },
  { descriptor: opensearchClient.descriptor, testing: opensearchClientTesting.testingDescriptor },
  { descriptor: karapaceClient.descriptor, testing: karapaceClientTesting.testingDescriptor },
  { descriptor: mysqlClient.descriptor, testing: mysqlClientTesting.testingDescriptor },
  { descriptor: mongodbClient.descriptor, testing: mongodbClientTesting.testingDescriptor },
];
