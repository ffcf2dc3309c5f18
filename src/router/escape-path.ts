// The path sent upstream is the normalised one (normalize-path.ts) with the characters it decoded escaped
// again, as Kong sets `var.upstream_uri = escape(match_t.upstream_uri)` (kong/runloop/handler.lua with
// kong/tools/uri.lua `escape`): reserved and unreserved characters and '%' stay as they are, everything else
// becomes %XX of its UTF-8 bytes, hex upper-cased. So `/a%20b` is matched as `/a b` and forwarded as `/a%20b`.

const SAFE = new Uint8Array(128)
for (const ch of "!#$&'()*+,/:;=?@[]-_.~%") SAFE[ch.charCodeAt(0)] = 1
for (let c = 48; c <= 57; c++) SAFE[c] = 1 // 0-9
for (let c = 65; c <= 90; c++) SAFE[c] = 1 // A-Z
for (let c = 97; c <= 122; c++) SAFE[c] = 1 // a-z

/** `path` with every character outside Kong's safe set percent-encoded; the same string when none is. */
export function escapePath (path: string): string {
  // one charCode scan: nearly every path has nothing to escape and allocates nothing
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c >= 128 || SAFE[c] === 0) return escapeFrom(path, i)
  }
  return path
}

function escapeFrom (path: string, start: number): string {
  let out = path.slice(0, start)
  for (const ch of path.slice(start)) {
    const c = ch.charCodeAt(0)
    if (c < 128 && SAFE[c] === 1) {
      out += ch
    } else {
      // encodeURIComponent gives upper-case %XX of the UTF-8 bytes; it leaves some safe-set marks alone,
      // but none of those reach here
      out += encodeURIComponent(ch)
    }
  }
  return out
}
