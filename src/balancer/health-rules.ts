// An upstream's `healthchecks` record (kong/db/schema/entities/upstreams.lua, field names as Kong's) compiled
// once per config load into what reporting needs: a status lookup per check kind and the thresholds. Workers
// call reportPassive after each proxied attempt; the main thread's active checker calls applyOutcome with
// the active rules. Counting itself is the health table's (health-table.ts).

import { COUNTER_HTTP, COUNTER_TCP, COUNTER_TIMEOUT, type HealthTable } from './health-table.ts'
import type { Healthchecks } from '../config/types.ts'

export type CheckType = Healthchecks['active']['type']

/** The `healthchecks` record as the config loader gives it (Kong's schema, defaults applied; seconds). */
export type HealthchecksRecord = Healthchecks

// What one attempt's outcome was, as a number so that reporting allocates nothing: an HTTP status
// (0 = an unparsable response, which lua-resty-healthcheck counts as an HTTP failure), or one of these.
export const OUTCOME_TCP_FAILURE = -1
export const OUTCOME_TIMEOUT = -2
/** a success without a status: a tcp probe connected */
export const OUTCOME_SUCCESS = -3
/** nothing to report (a probe cancelled by close) */
export const OUTCOME_NONE = -4

const LINE_BREAK = /[\r\n]/

const STATUS_IGNORED = 0
const STATUS_HEALTHY = 1
const STATUS_UNHEALTHY = 2

/** The rules of one check kind (passive or active). */
export interface CheckRules {
  /** indexed by status 0..999: STATUS_HEALTHY, STATUS_UNHEALTHY or STATUS_IGNORED */
  readonly statuses: Uint8Array
  readonly successes: number
  readonly httpFailures: number
  readonly tcpFailures: number
  readonly timeouts: number
}

export interface ActiveRules extends CheckRules {
  readonly type: CheckType
  readonly timeoutMs: number
  readonly concurrency: number
  readonly httpPath: string
  readonly httpsSni: string | null
  readonly verifyCertificate: boolean
  /** the configured headers as request-head lines ("name: value\r\n" each), built once */
  readonly headerLines: string
  /** 0: healthy peers are not probed */
  readonly healthyIntervalMs: number
  /** 0: unhealthy peers are not probed */
  readonly unhealthyIntervalMs: number
}

export interface HealthRules {
  /** Kong's is_upstream_using_healthcheck: an active interval or a passive failure threshold is set */
  readonly enabled: boolean
  /** all four passive thresholds are 0: reportPassive returns at once */
  readonly passiveOff: boolean
  readonly passive: CheckRules
  readonly active: ActiveRules
  /** healthchecks.threshold */
  readonly threshold: number
}

/** Once per upstream per config load. */
export function compileHealthRules (record: HealthchecksRecord): HealthRules {
  const { active, passive } = record
  const passiveRules = checkRules(passive.healthy, passive.unhealthy)
  const enabled = active.healthy.interval !== 0 || active.unhealthy.interval !== 0 ||
    passive.unhealthy.tcp_failures !== 0 || passive.unhealthy.timeouts !== 0 || passive.unhealthy.http_failures !== 0
  return Object.freeze({
    enabled,
    passiveOff: passiveRules.successes === 0 && passiveRules.httpFailures === 0 && passiveRules.tcpFailures === 0 && passiveRules.timeouts === 0,
    passive: passiveRules,
    active: Object.freeze({
      ...checkRules(active.healthy, active.unhealthy),
      type: active.type,
      timeoutMs: active.timeout * 1000,
      concurrency: active.concurrency,
      httpPath: active.http_path,
      httpsSni: active.https_sni,
      verifyCertificate: active.https_verify_certificate,
      headerLines: headerLines(active.headers),
      healthyIntervalMs: active.healthy.interval * 1000,
      unhealthyIntervalMs: active.unhealthy.interval * 1000,
    }),
    threshold: record.threshold,
  })
}

/**
 * A worker's report after one attempt at `slot` (Kong's balancer report_http_status, report_tcp_failure,
 * report_timeout with check "passive"). True when it took the peer out of rotation or put it back.
 */
export function reportPassive (table: HealthTable, slot: number, rules: HealthRules, outcome: number): boolean {
  if (rules.passiveOff) return false
  return applyOutcome(table, slot, rules.passive, outcome)
}

/** lua-resty-healthcheck report_http_status / report_tcp_failure / report_timeout / report_success. */
export function applyOutcome (table: HealthTable, slot: number, rules: CheckRules, outcome: number): boolean {
  if (outcome >= 0) {
    // statuses outside 0..999 cannot come from a parsed response; they are ignored like unlisted ones
    const kind = outcome < rules.statuses.length ? rules.statuses[outcome] : STATUS_IGNORED
    if (kind === STATUS_HEALTHY) return table.reportSuccess(slot, rules.successes)
    if (kind === STATUS_UNHEALTHY) return table.reportFailure(slot, COUNTER_HTTP, rules.httpFailures)
    return false
  }
  if (outcome === OUTCOME_TCP_FAILURE) return table.reportFailure(slot, COUNTER_TCP, rules.tcpFailures)
  if (outcome === OUTCOME_TIMEOUT) return table.reportFailure(slot, COUNTER_TIMEOUT, rules.timeouts)
  if (outcome === OUTCOME_SUCCESS) return table.reportSuccess(slot, rules.successes)
  return false
}

function checkRules (
  healthy: HealthchecksRecord['passive']['healthy'],
  unhealthy: HealthchecksRecord['passive']['unhealthy']
): CheckRules {
  const statuses = new Uint8Array(1000)
  // report_http_status: 0 (no parsable status) is a failure; the healthy list wins over the unhealthy one
  statuses[0] = STATUS_UNHEALTHY
  for (const status of unhealthy.http_statuses) statuses[status] = STATUS_UNHEALTHY
  for (const status of healthy.http_statuses) statuses[status] = STATUS_HEALTHY
  return {
    statuses,
    successes: healthy.successes,
    httpFailures: unhealthy.http_failures,
    tcpFailures: unhealthy.tcp_failures,
    timeouts: unhealthy.timeouts,
  }
}

/** lua-resty-healthcheck build_http_headers: one "name: value" line per value. */
function headerLines (headers: HealthchecksRecord['active']['headers']): string {
  if (headers === null) return ''
  let lines = ''
  for (const [name, values] of Object.entries(headers)) {
    for (const value of values) {
      // the schema validates header names and values; this keeps a probe's request head intact regardless
      if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) throw new TypeError(`healthchecks.active.headers.${name}: line breaks are not allowed`)
      lines += `${name}: ${value}\r\n`
    }
  }
  return lines
}
