// Kong's prometheus handler (kong/plugins/prometheus/handler.lua PrometheusHandler:log), in a proxy
// worker. Kong's log phase picks, from its instance's flags, what exporter.log records for the request;
// here the log phase hands the same choice to the proxy as the request's metricsFamilies (bit flags,
// metrics/families.ts, computed once per instance), and the proxy's metrics report, which runs right
// after the log phase (proxy/finish.ts), records those families into the shared counters. No allocation
// or lookup per request beyond one field store.

import type { Plugin } from '../../config/types.ts'
import { familiesOf } from '../../metrics/families.ts'
import type { PluginInstance, ProxyContext } from '../types.ts'

export function createPrometheus (plugin: Plugin, priority: number): PluginInstance {
  const families = familiesOf(plugin.config)
  // one function per instance (config load), capturing its flags
  const log = (ctx: ProxyContext): void => { ctx.metricsFamilies = families }
  return Object.freeze({ name: plugin.name, id: plugin.id, priority, access: null, headerFilter: null, bodyFilter: null, log, close: noop })
}

function noop (): void {}
