// The plugins this build ships, as Kong's BUNDLED_PLUGINS (kong/constants.lua). Adding a plugin is one
// folder, src/plugins/<name>/ with an index.ts exporting its PluginDescriptor, and one line here. Every
// other list is derived from this one: the schemas config loading validates against (schemas.ts), the
// handlers proxy workers instantiate (handlers.ts), the main-thread services and the Admin API routes
// they serve (main-thread-services.ts), and the per-worker services (worker-thread-services.ts).
// The order is the order of GET / plugins.available_on_server and of "available: ..." in config errors;
// execution order is PRIORITY's (chain.ts), never this list's. Kong's own list, with the plugins Tollgate
// does not ship, is kong-plugin-names.ts (for the "not supported by Tollgate yet" error).

import type { PluginDescriptor } from './types.ts'
import { requestTermination } from './request-termination/index.ts'
import { openIdConnect } from './openid-connect/index.ts'
import { correlationId } from './correlation-id/index.ts'
import { prometheus } from './prometheus/index.ts'
import { cors } from './cors/index.ts'
import { requestTransformer } from './request-transformer/index.ts'
import { responseTransformer } from './response-transformer/index.ts'
import { rateLimiting } from './rate-limiting/index.ts'
import { keyAuth } from './key-auth/index.ts'
import { jwt } from './jwt/index.ts'
import { basicAuth } from './basic-auth/index.ts'
import { acl } from './acl/index.ts'

export const BUNDLED_PLUGINS: readonly PluginDescriptor[] = Object.freeze([
  requestTermination,
  openIdConnect,
  correlationId,
  prometheus,
  cors,
  requestTransformer,
  responseTransformer,
  rateLimiting,
  keyAuth,
  jwt,
  basicAuth,
  acl
])
