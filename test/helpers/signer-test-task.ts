// A piscina task standing in for signer-task.ts in the signing pool tests: it "signs" by echoing the
// claims, and misbehaves on request. claims.hang: blocks its thread for good (a hung signer, only the
// pool's task timeout ends it); claims.crash: ends its thread, as a native crash would.

interface Request { readonly claims: Readonly<Record<string, unknown>> }

export default function sign (request: Request): string {
  if (request.claims.hang === true) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  if (request.claims.crash === true) process.exit(7)
  return `signed:${JSON.stringify(request.claims)}`
}
