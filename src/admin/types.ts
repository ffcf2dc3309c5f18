// A handler answers the Admin requests it knows (returns null otherwise); the server writes the result.

export interface AdminResult {
  readonly status: number
  /** serialised as JSON unless it is a string or Buffer */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface AdminRequest {
  readonly method: string
  readonly pathname: string
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** the raw body, read (within admin_max_body_size) only for methods that carry one */
  readonly body: Buffer | null
}

export type AdminHandler = (req: AdminRequest) => AdminResult | null | Promise<AdminResult | null>
