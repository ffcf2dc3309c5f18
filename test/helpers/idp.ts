// The tests' IdP is the demo's development IdP (oidc-provider set up like Kong's how-to, with fault
// injection and key rotation): one implementation for both.
export * from '../../src/demo/dev-idp.ts'
