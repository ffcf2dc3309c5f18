// GET /metrics until it shows what a test just caused. A worker counts a request in its log phase, just
// after the response is written, as Kong's prometheus plugin does (kong/plugins/prometheus/handler.lua
// PrometheusHandler:log): a client that scrapes as soon as its response arrives can be a moment early,
// which a loaded machine turns into a failed assertion now and then.

const SCRAPE_TIMEOUT_MS = 5000
const SCRAPE_INTERVAL_MS = 20

/**
 * Scrapes until `done` accepts what was scraped, or SCRAPE_TIMEOUT_MS have passed, and returns the last
 * scrape: the caller's own assertions then name whatever is still missing.
 */
export async function scrapeUntil<T> (scrape: () => Promise<T>, done: (scraped: T) => boolean): Promise<T> {
  const deadline = Date.now() + SCRAPE_TIMEOUT_MS
  let scraped = await scrape()
  while (!done(scraped) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_INTERVAL_MS))
    scraped = await scrape()
  }
  return scraped
}

/** For scrapeUntil over the exposition text: every pattern matches. */
export function matchesAll (patterns: readonly RegExp[]): (text: string) => boolean {
  return (text) => patterns.every((pattern) => pattern.test(text))
}
