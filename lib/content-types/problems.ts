import leven from 'leven'
import { InvalidContentTypeError } from '../errors.js'

/** One thing wrong with a schema. `source` is a file path or `inline:<uid>`. */
export interface SchemaProblem {
  source: string
  attribute?: string
  message: string
}

/** Collects every problem of a load, so they are reported together rather than one boot at a time. */
export interface Problems {
  readonly list: SchemaProblem[]
  add: (source: string, message: string, attribute?: string) => void
  /** Fixes where a source's problems appear in the report (else: where its first problem was added). */
  declare: (source: string) => void
  /** Throws one InvalidContentTypeError listing every problem, one per line. */
  throwIfAny: () => void
}

export function createProblems (): Problems {
  const list: SchemaProblem[] = []
  const firstSeen = new Map<string, number>()
  const declare = (source: string): void => {
    if (!firstSeen.has(source)) firstSeen.set(source, firstSeen.size)
  }
  return {
    list,
    declare,
    add (source, message, attribute) {
      declare(source)
      list.push(attribute === undefined ? { source, message } : { source, attribute, message })
    },
    throwIfAny () {
      if (list.length === 0) return
      // Checks run in phases (shape, then meaning, then across models); the report groups them by file, in load order.
      list.sort((a, b) => (firstSeen.get(a.source) ?? 0) - (firstSeen.get(b.source) ?? 0))
      const count = list.length === 1 ? '1 problem' : `${list.length} problems`
      throw new InvalidContentTypeError(`Invalid content types (${count}):\n${list.map(formatProblem).join('\n')}`, { problems: list })
    }
  }
}

export function formatProblem (problem: SchemaProblem): string {
  const where = problem.attribute === undefined ? '' : `attribute "${problem.attribute}": `
  return `${problem.source}: ${where}${problem.message}`
}

/**
 * The closest candidate to a misspelled name, if it is close enough to be a likely typo: a case-only
 * difference, or an edit distance within `limit` (by default a third of the name, at least 2).
 */
export function closest (input: string, candidates: Iterable<string>, limit = Math.max(2, Math.floor(input.length / 3))): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (candidate === input) continue
    if (candidate.toLowerCase() === input.toLowerCase()) return candidate
    const distance = leven(input, candidate, { maxDistance: limit + 1 })
    if (distance <= limit && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** ` (did you mean "x"?)` when a close candidate exists, else ''. */
export function didYouMean (input: string, candidates: Iterable<string>): string {
  const match = closest(input, candidates)
  return match === undefined ? '' : ` (did you mean "${match}"?)`
}

/** A value as it appears in a message: JSON, shortened. */
export function show (value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
