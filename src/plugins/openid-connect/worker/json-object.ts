// A request body read as a JSON object, as Kong reads one (kong.request.get_body → kong/tools/cjson.lua,
// lua-cjson with its default decode_max_depth of 1000): anything else, nesting deeper than that included,
// is "no JSON object". The depth limit also keeps the re-encoding of hide_credentials (JSON.stringify,
// which recurses) far from the stack's end whatever client_body_buffer_size allows.

/** lua-cjson's default decode_max_depth (https://kyne.au/~mark/software/lua-cjson-manual.html) */
export const MAX_JSON_DEPTH = 1000

/** The body parsed, when it is a JSON object nested at most MAX_JSON_DEPTH deep; null otherwise. */
export function parseJsonObject (body: Buffer): Record<string, unknown> | null {
  const text = body.toString('utf8')
  if (!depthWithin(text, MAX_JSON_DEPTH)) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null // not our business: the upstream gets the body as it is
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
}

/**
 * Whether no object or array in `text` opens more than `max` levels deep (strings skipped). One pass;
 * on text that is not JSON the answer does not matter, JSON.parse refuses it anyway.
 */
export function depthWithin (text: string, max: number): boolean {
  let depth = 0
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      // to the closing quote, stepping over escapes
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i)
        if (s === 92 /* \ */) i++
        else if (s === 34) break
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return false
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--
    }
  }
  return true
}
