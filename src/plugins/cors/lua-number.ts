// LuaJIT's tostring(number), which Kong's cors handler uses for Access-Control-Max-Age
// (kong/plugins/cors/handler.lua: tostring(conf.max_age)): C's "%.14g". Computed once per instance.

const PRECISION = 14

function trimFraction (digits: string): string {
  if (!digits.includes('.')) return digits
  let end = digits.length
  while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--
  if (digits.charCodeAt(end - 1) === 46 /* . */) end--
  return digits.slice(0, end)
}

export function luaNumberString (value: number): string {
  // JSON has no NaN; 1e400 parses to Infinity
  if (value === Infinity) return 'inf'
  if (value === -Infinity) return '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa, exponentText] = value.toExponential(PRECISION - 1).split('e')
  const exponent = Number(exponentText)
  // %g: scientific when the exponent is below -4 or at least the precision
  if (exponent < -4 || exponent >= PRECISION) {
    const sign = exponent < 0 ? '-' : '+'
    const magnitude = String(Math.abs(exponent)).padStart(2, '0')
    return `${trimFraction(mantissa)}e${sign}${magnitude}`
  }
  return trimFraction(value.toFixed(PRECISION - 1 - exponent))
}
