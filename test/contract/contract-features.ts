/** What a transport may lack (Redis Cluster: both), so that the suite runs every behaviour it has. */
export interface ContractFeatures {
  /** Pattern subscriptions. @defaultValue true */
  patterns?: boolean
  /** Messages of two channels keep their order (two shards are two connections). @defaultValue true */
  orderAcrossChannels?: boolean
}
