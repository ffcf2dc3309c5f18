// The plugins Kong 3.x bundles (kong/constants.lua BUNDLED_PLUGINS, and the Enterprise list
// kong/enterprise_edition/constants.lua BUNDLED_EE_PLUGINS plus the plugins-ee folder): a config naming
// one Tollgate does not ship is valid for Kong, so the error says "not supported by Tollgate yet" rather
// than Kong's "not enabled" for a name no Kong knows.

const OSS = [
  'jwt', 'acl', 'correlation-id', 'cors', 'oauth2', 'tcp-log', 'udp-log', 'file-log', 'http-log', 'key-auth', 'hmac-auth',
  'basic-auth', 'ip-restriction', 'request-transformer', 'response-transformer', 'request-size-limiting', 'rate-limiting',
  'response-ratelimiting', 'syslog', 'loggly', 'datadog', 'ldap-auth', 'statsd', 'bot-detection', 'aws-lambda',
  'request-termination', 'prometheus', 'proxy-cache', 'session', 'acme', 'grpc-gateway', 'grpc-web', 'pre-function',
  'post-function', 'azure-functions', 'zipkin', 'opentelemetry', 'ai-proxy', 'ai-prompt-decorator', 'ai-prompt-template',
  'ai-prompt-guard', 'ai-request-transformer', 'ai-response-transformer', 'standard-webhooks', 'redirect',
]

const ENTERPRISE = [
  'ai-azure-content-safety', 'ai-rate-limiting-advanced', 'application-registration', 'ai-proxy-advanced', 'canary',
  'degraphql', 'exit-transformer', 'forward-proxy', 'proxy-cache-advanced', 'graphql-proxy-cache-advanced',
  'injection-protection', 'jq', 'jwe-decrypt', 'jwt-signer', 'key-auth-enc', 'mocking', 'oauth2-introspection',
  'service-protection', 'rate-limiting-advanced', 'graphql-rate-limiting-advanced', 'request-transformer-advanced',
  'response-transformer-advanced', 'route-by-header', 'route-transformer-advanced', 'statsd-advanced',
  'tls-handshake-modifier', 'tls-metadata-headers', 'upstream-timeout', 'websocket-size-limit', 'websocket-validator',
  'xml-threat-protection', 'ai-semantic-prompt-guard', 'ai-semantic-cache', 'json-threat-protection', 'confluent',
  'header-cert-auth', 'kafka-log', 'kafka-upstream', 'konnect-application-auth', 'ldap-auth-advanced', 'mtls-auth',
  'oas-validation', 'opa', 'openid-connect', 'request-validator', 'saml', 'upstream-oauth', 'vault-auth', 'app-dynamics',
]

export const KONG_PLUGIN_NAMES: ReadonlySet<string> = new Set([...OSS, ...ENTERPRISE])
