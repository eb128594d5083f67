// The public API of switchboard, and nothing else.
export { Bus } from './client/bus.js'
export { connect } from './client/connect.js'
export type { ConnectOptions, RetryOptions } from './client/connect-options.js'
export { CONNECT_DEFAULTS } from './client/connect-options.js'
export type { ReportOptions } from './client/process-reporter.js'
export type { Codec, CodecName } from './codec/codec.js'
export { jsonCodec } from './codec/json.js'
export { msgpackCodec } from './codec/msgpack.js'
export type { NDArrayInit, NumericArray, NumpyDtype } from './codec/ndarray.js'
export { isNDArray, NDArray } from './codec/ndarray.js'
export { rawCodec } from './codec/raw.js'
export type { TopicHandler } from './durable/consumer.js'
export { Consumer } from './durable/consumer.js'
export type { DeadLetterEntry } from './durable/dead-letters.js'
export { DeadLetters } from './durable/dead-letters.js'
export type { TopicMessage } from './durable/entry.js'
export { Topic } from './durable/topic.js'
export type {
  BackoffOptions,
  ConsumeOptions,
  ReadOptions,
  TopicOptions,
  TopicPublishOptions,
} from './durable/topic-options.js'
export { CONSUME_DEFAULTS, TOPIC_DEFAULTS } from './durable/topic-options.js'
export type { GroupInfo, TopicInfo } from './durable/topic-store.js'
export type {
  ErrorCode,
  ResponseErrorCode,
  RoutesProblem,
  SwitchboardErrorOptions,
  WireErrorCode,
} from './errors.js'
export {
  BufferOverflowError,
  CancelledError,
  ClosedError,
  ConnectionError,
  EncodeError,
  ERROR_CODES,
  GroupLostError,
  HubStepError,
  InvalidArgumentError,
  InvalidUrlError,
  MalformedMessageError,
  MissingDependencyError,
  NoResponderError,
  PayloadTooLargeError,
  RemoteError,
  RoutesError,
  SlowConsumerError,
  SubscriberError,
  SwitchboardError,
  TimeoutError,
  ValidationError,
  WIRE_ERROR_CODES,
} from './errors.js'
export type { HubEvents } from './hub/hub.js'
export { Hub } from './hub/hub.js'
export type { HubOptions } from './hub/hub-options.js'
export { HUB_DEFAULTS } from './hub/hub-options.js'
export type { HubStats, RouteStats } from './hub/hub-stats.js'
export type {
  CancelRule,
  Condition,
  FieldTest,
  RetryPolicy,
  Route,
  Routes,
  Scalar,
  Step,
  StepAction,
} from './hub/routes-model.js'
export type { RoutesSource } from './hub/routes-source.js'
export { ConsoleLogger } from './observe/console-logger.js'
export type { Instrumentation, InstrumentationOption, LinkState } from './observe/instrumentation.js'
export {
  CallOutcome,
  ConsumeOutcome,
  DropReason,
  HandleOutcome,
  SkipReason,
} from './observe/instrumentation.js'
export type { LogLevel } from './observe/level-logger.js'
export type { Logger } from './observe/logger.js'
export type { OpenTelemetryTracingOptions, TracerProviderLike } from './observe/open-telemetry-tracing.js'
export { openTelemetryTracing } from './observe/open-telemetry-tracing.js'
export type {
  ActionReport,
  ErrorReport,
  InstanceReport,
  PatternReport,
  ProcessReport,
} from './observe/process-report.js'
export { REPORT_CHANNEL } from './observe/process-report.js'
export type { MetricsRegistry, PrometheusMetricsOptions } from './observe/prometheus-metrics.js'
export { PROMETHEUS_DEFAULTS, prometheusMetrics } from './observe/prometheus-metrics.js'
export type { Carrier, SpanHandle, Tracer } from './observe/tracer.js'
export type { GroupFigures, TopicFigures, WatchedTopic } from './observe/watched-topic.js'
export { Batch } from './pubsub/batch.js'
export type { BusEvents, BusStats } from './pubsub/bus-events.js'
export type { ByteNames } from './pubsub/byte-names.js'
export type { Message } from './pubsub/message.js'
export type { PublishCallOptions, PublisherOptions } from './pubsub/publisher.js'
export { Publisher } from './pubsub/publisher.js'
export type { AnyBus, ChannelMap, PatternName, PublishOptions } from './pubsub/pubsub-bus.js'
export type { SubscriberOptions } from './pubsub/subscriber.js'
export { Subscriber } from './pubsub/subscriber.js'
export type {
  MessageHandler,
  OverflowInfo,
  SubscribeOptions,
  SubscriptionStats,
} from './pubsub/subscription.js'
export { Subscription } from './pubsub/subscription.js'
export { OverflowPolicy } from './queue/overflow-policy.js'
export type { ActionMap, ActionSpec, ActionsOf, PayloadOf, ProgressOf, ResultOf } from './rpc/action-types.js'
export { Caller } from './rpc/caller.js'
export type { CallerOptions, RequestOptions, SendOptions } from './rpc/caller-options.js'
export { CALLER_DEFAULTS } from './rpc/caller-options.js'
export type { ResponseStream } from './rpc/response-stream.js'
export type { CallerStats } from './rpc/rpc-client.js'
export type {
  ActionContext,
  ActionHandler,
  ActionOptions,
  BackgroundOptions,
  BackgroundTaskFn,
  ListenHandler,
  ListenOptions,
} from './service/action-context.js'
export { Blueprint } from './service/blueprint.js'
export type { ServiceState } from './service/service.js'
export { Service } from './service/service.js'
export type { RunOptions, ServiceOptions, ServiceStats, StopOptions } from './service/service-options.js'
export { CLAIM_WAIT_SHARE, SERVICE_DEFAULTS } from './service/service-options.js'
export type { ChannelName } from './transport/channel-key.js'
export type { ReconnectOptions, RedisTransportOptions } from './transport/redis/redis-transport-options.js'
