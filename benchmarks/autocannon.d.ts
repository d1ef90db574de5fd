/** The part of autocannon 8's programmatic API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    duration?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    timeout?: number
    pipelining?: number
    /** Requests each connection sends in turn, cycling (soak.ts). */
    requests?: RequestSpec[]
    /** Each connection's own `context`, copied from this at its start. */
    initialContext?: Record<string, unknown>
  }
  export interface Request {
    method: string
    path: string
    headers?: Record<string, string>
    body?: string
  }
  export interface RequestSpec extends Partial<Request> {
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }
  /** The running measurement: a promise of its result, and events per response. */
  interface Instance extends Promise<Result> {
    on: ((event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void) => Instance) &
    ((event: 'reqError', listener: (error: Error) => void) => Instance)
    stop: () => void
  }
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
  }
  interface Result {
    requests: Histogram & { sent: number }
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
    duration: number
    '2xx': number
    '4xx': number
    '5xx': number
    /** Responses per status code. */
    statusCodeStats: Record<string, { count: number }>
  }
  function autocannon (options: Options): Instance
  export default autocannon
}
