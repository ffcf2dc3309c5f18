// The demo's identity provider: oidc-provider configured like the Keycloak set-up of Kong's how-to.
export { startIdp as startDevIdp, type TestIdp as DevIdp } from '../../test/helpers/idp.ts'
