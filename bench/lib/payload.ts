import { Packr } from 'msgpackr'

/** The 10-field object every benchmark sends. */
export interface Order {
  id: number
  orderId: string
  status: string
  customer: string
  amount: number
  currency: string
  items: number
  express: boolean
  /** Send time in microseconds (process.hrtime, shared by processes on one machine) where latency is measured. */
  sentAt: number
  note: string
}

export function order(id = 123_456, sentAt = 1_700_000_000_000): Order {
  return {
    id,
    orderId: `ord-${String(id).padStart(9, '0')}`,
    status: 'shipped',
    customer: 'customer-00042',
    amount: 1234.56,
    currency: 'EUR',
    items: 3,
    express: true,
    sentAt,
    note: 'leave at the door, ring twice',
  }
}

/**
 * msgpack as a raw-client user would write it: plain msgpackr, no records. Its bytes equal those
 * of switchboard's msgpack codec for this object.
 */
export const rawPackr = new Packr({ useRecords: false })

/** Microseconds on the monotonic clock, comparable between processes on one machine. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}
