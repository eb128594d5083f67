/**
 * One benchmark role in its own process: `node child.mjs <role> <json params>`. The suite
 * (bench/main.ts) starts these through lib/role-process.ts.
 */
import { sendResult } from './lib/role-io.js'
import { clusterPublisherRole, clusterPublishRole, clusterSubscriberRole } from './roles/cluster.js'
import { durableConsumeRole, durableFillRole, durablePublishRole } from './roles/durable.js'
import { e2ePublisherRole, e2eSubscriberRole } from './roles/end-to-end.js'
import { latencyPublisherRole, latencySubscriberRole } from './roles/latency.js'
import { publishRole } from './roles/publish.js'
import { rpcCallerRole, rpcServiceRole } from './roles/rpc.js'
import { blastRole, publishCostRole, slowConsumerRole, subscribeScaleRole } from './roles/scale.js'
import { sinkRole } from './roles/sink.js'

// biome-ignore lint/suspicious/noExplicitAny: each role checks its own parameters
type Role = (params: any) => Promise<object>

const ROLES: Record<string, Role> = {
  publish: publishRole,
  'e2e-sub': e2eSubscriberRole,
  'e2e-pub': e2ePublisherRole,
  'latency-sub': latencySubscriberRole,
  'latency-pub': latencyPublisherRole,
  'rpc-service': rpcServiceRole,
  'rpc-caller': rpcCallerRole,
  sink: sinkRole,
  'scale-subscribe': subscribeScaleRole,
  'scale-publish-cost': publishCostRole,
  'slow-consumer': slowConsumerRole,
  blast: blastRole,
  'durable-publish': durablePublishRole,
  'durable-fill': durableFillRole,
  'durable-consume': durableConsumeRole,
  'cluster-publish': clusterPublishRole,
  'cluster-pub': clusterPublisherRole,
  'cluster-sub': clusterSubscriberRole,
}

const [name = '', json = '{}'] = process.argv.slice(2)
const role = ROLES[name]
if (!role) {
  process.stderr.write(`unknown benchmark role "${name}"; known: ${Object.keys(ROLES).join(', ')}\n`)
  process.exit(2)
}
try {
  const result = await role(JSON.parse(json))
  await sendResult(result)
  process.exit(0)
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
}
