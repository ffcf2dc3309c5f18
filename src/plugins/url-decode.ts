// Decoding of a form or query value as nginx's arg parsing does it (ngx.unescape_uri after '+' → ' '),
// shared by every plugin that reads request arguments (openid-connect, key-auth, jwt): lenient, so a
// malformed %-escape keeps its raw text rather than failing the request.

export function formUrlDecode (value: string): string {
  const text = value.includes('+') ? plusToSpace(value) : value
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// Every '+' made a space, over the UTF-16 code units (exact for any string). Not replaceAll: on long text
// dense with '+' its time per character grows with the length (bench/micro/parsers.ts), this stays flat.
function plusToSpace (value: string): string {
  const units = Buffer.from(value, 'utf16le')
  for (let i = 0; i < units.length; i += 2) {
    if (units[i] === 43 /* + */ && units[i + 1] === 0) units[i] = 32
  }
  return units.toString('utf16le')
}
