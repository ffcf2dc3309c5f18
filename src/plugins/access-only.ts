// The PluginInstance of a plugin that has only an access phase (the auth plugins, acl): built once per
// plugin entity at config load, so each plugin's factory says only what differs.

import type { Plugin } from '../config/types.ts'
import type { PhaseResult, PluginInstance, ProxyContext } from './types.ts'

export function accessOnlyInstance (plugin: Plugin, priority: number, access: (ctx: ProxyContext) => PhaseResult,
  close: () => void = noop): PluginInstance {
  return Object.freeze({ name: plugin.name, id: plugin.id, priority, access, headerFilter: null, bodyFilter: null, log: null, close })
}

function noop (): void {}
