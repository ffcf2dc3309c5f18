// Kong's address parsing (kong/tools/ip.lua: hostname_type, normalize_ipv4, normalize_ipv6, check_hostname,
// normalize_ip, format_host), which upstream names, host_header, https_sni and targets are validated with,
// and which gives a target its stored form ("[0000:...:0001]:8000"). Its rules differ from the service
// `host` typedef (typedefs.ts isHostname): no label length limits, a leading dash allowed, port digits read
// as a number ("a:080" is port 80). Runs at config load only.

export type AddressType = 'ipv4' | 'ipv6' | 'name'

export interface HostPort {
  readonly type: AddressType
  /** an IPv4 address without leading zeros, an IPv6 address fully expanded without brackets, or the name as given */
  readonly host: string
  readonly port: number | null
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d+))?$/
const IPV6_GROUPS = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/
const NAME_CHARS = /^[0-9A-Za-z._-]+$/
const TRAILING_PORT = /:(\d+)$/
const DIGITS_AND_DOTS = /^[\d.]+$/
const DIGITS = /^\d*$/

const INVALID_PORT = 'invalid port number'

/** ip.lua hostname_type: more than one colon is IPv6, digits and dots (a colon aside) IPv4, anything else a name. */
export function hostnameType (address: string): AddressType {
  const remainder = address.replaceAll(':', '')
  if (address.length - remainder.length > 1) return 'ipv6'
  return DIGITS_AND_DOTS.test(remainder) ? 'ipv4' : 'name'
}

/** Lua's tonumber of a digit string, compared as ip.lua does; null when over 65535. */
function portOf (digits: string): number | null {
  const port = Number(digits)
  return port > 65535 ? null : port
}

function normalizeIpv4 (address: string): HostPort | string {
  const match = IPV4.exec(address)
  // ip.lua matches with a port only when there is a colon, so "1.2.3.4:" is no address
  if (match === null || (address.includes(':') && match[5] === undefined)) return `invalid ipv4 address: ${address}`
  const parts = match.slice(1, 5).map(Number)
  if (parts.some((part) => part > 255)) return `invalid ipv4 address: ${address}`
  const port = match[5] === undefined ? null : portOf(match[5])
  if (port === null && match[5] !== undefined) return INVALID_PORT
  return { type: 'ipv4', host: parts.join('.'), port }
}

/** The index of the `]` closing a `[` at 0 (Lua's %b[]), or -1. */
function closingBracket (address: string): number {
  let depth = 0
  for (let i = 0; i < address.length; i++) {
    if (address[i] === '[') depth++
    else if (address[i] === ']' && --depth === 0) return i
  }
  return -1
}

/** ip.lua normalize_ipv6: the address fully expanded and lower-cased ("0000:...:0001"), or an error. */
export function expandIpv6 (address: string): string | null {
  let check = address
  if (check.startsWith(':')) check = `0${check}`
  if (check.endsWith(':')) check = `${check}0`
  if (check.includes('::')) {
    const colons = check.length - check.replaceAll(':', '').length
    check = check.replace('::', `:${'0:'.repeat(Math.max(0, 8 - colons))}`)
  }
  const groups = IPV6_GROUPS.exec(check)
  if (groups === null) return null
  return groups.slice(1).map((group) => group.padStart(4, '0')).join(':').toLowerCase()
}

function normalizeIpv6 (address: string): HostPort | string {
  const close = address.startsWith('[') ? closingBracket(address) : -1
  let check = address
  let port: number | null = null
  if (close !== -1) {
    check = address.slice(1, close)
    const rest = address.slice(close + 1)
    if (rest !== '') {
      // ip.lua reads the port with ^:(%d-)$; an empty one makes it compare nil with a number (a Lua error):
      // Tollgate calls that an invalid address
      if (!rest.startsWith(':') || rest.length === 1 || !DIGITS.test(rest.slice(1))) return 'invalid ipv6 address'
      port = portOf(rest.slice(1))
      if (port === null) return INVALID_PORT
    }
  }
  const host = expandIpv6(check)
  return host === null ? `invalid ipv6 address: ${address}` : { type: 'ipv6', host, port }
}

/** ip.lua check_hostname: letters, digits, '-', '.', '_'; no label ends with '-'; only the last label may be empty. */
function checkHostname (address: string): HostPort | string {
  const match = TRAILING_PORT.exec(address)
  const name = match === null ? address : address.slice(0, match.index)
  const port = match === null ? null : portOf(match[1])
  if (match !== null && port === null) return INVALID_PORT
  if (!NAME_CHARS.test(name)) return `invalid hostname: ${address}`
  const labels = name.split('.')
  for (let i = 0; i < labels.length; i++) {
    if (labels[i].endsWith('-') || (labels[i] === '' && i !== labels.length - 1)) return `invalid hostname: ${address}`
  }
  return { type: 'name', host: name, port }
}

/** ip.lua normalize_ip: the parsed address, or Kong's error message. */
export function normalizeHostPort (address: string): HostPort | string {
  switch (hostnameType(address)) {
    case 'ipv4': return normalizeIpv4(address)
    case 'ipv6': return normalizeIpv6(address)
    case 'name': return checkHostname(address)
  }
}

/** ip.lua format_host: IPv6 in brackets, then `:port` (the address's own, else `defaultPort`, else none). */
export function formatHostPort (address: HostPort, defaultPort: number | null = null): string {
  const port = address.port ?? defaultPort
  const host = address.type === 'ipv6' ? `[${address.host}]` : address.host
  return port === null ? host : `${host}:${port}`
}
