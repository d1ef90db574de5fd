/**
 * A progress bar on stderr: one line redrawn in place on a terminal, a line every 10% otherwise (CI logs,
 * pipes). stdout stays free for the results table.
 */
export interface Progress {
  /** Sets the number of units done (absolute). */
  update: (done: number) => void
  /** Ends the bar with a summary line. */
  done: (summary?: string) => void
}

const WIDTH = 30

export function createProgress (label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now()
  const tty = stream.isTTY === true
  let lastDecile = -1
  let current = 0

  function line (): string {
    const ratio = total === 0 ? 1 : Math.min(1, current / total)
    const filled = Math.round(ratio * WIDTH)
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? current / seconds : 0
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${current}/${total} ${(ratio * 100).toFixed(0).padStart(3)}% ${seconds.toFixed(1)}s ${rate.toFixed(0)}/s`
  }

  return {
    update (done) {
      current = done
      if (tty) {
        stream.write(`\r${line()}\u001b[K`)
        return
      }
      const decile = total === 0 ? 10 : Math.floor((current / total) * 10)
      if (decile !== lastDecile) {
        lastDecile = decile
        stream.write(`${line()}\n`)
      }
    },
    done (summary) {
      if (!tty && lastDecile === 10 && summary === undefined) return
      current = total
      const text = `${line()}${summary === undefined ? '' : ` ${summary}`}`
      stream.write(tty ? `\r${text}\u001b[K\n` : `${text}\n`)
    }
  }
}
