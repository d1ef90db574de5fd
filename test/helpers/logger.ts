import type { LogFn, Logger } from '../../lib/logger.js'

export interface LogEntry {
  level: string
  msg?: string
  obj?: object
}

/** A logger that keeps what it is told, to assert on what was logged. */
export function recordingLogger (): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const at = (level: string): LogFn => ((obj: object | string, msg?: string) => {
    if (typeof obj === 'string') entries.push({ level, msg: obj })
    else entries.push({ level, obj, ...(msg !== undefined && { msg }) })
  }) as LogFn
  const logger: Logger & { entries: LogEntry[] } = {
    entries,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger
  }
  return logger
}
