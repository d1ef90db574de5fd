/**
 * Strapi's findWithCount over two chains of hooks (the Query Engine's lifecycles, the Document Service's
 * middlewares): the count's chain runs inside the findMany's, each with the params a separate call would
 * give it, and when both chains hand on params that agree, one statement answers both.
 */
export interface FindCountSteps<P, E> {
  /** Runs the findMany chain around `next`. */
  find: (next: (params: P) => Promise<E[]>) => Promise<E[]>
  /** Runs the count chain around `next`; `found` is what the findMany chain handed on, if it did. */
  count: (found: P | undefined, next: (params: P) => Promise<number>) => Promise<number>
  /** Whether a count of `counted` counts the rows of a findMany of `found`. */
  same: (counted: P, found: P) => boolean
  both: (params: P) => Promise<[E[], number]>
  findOnly: (params: P) => Promise<E[]>
  countOnly: (params: P) => Promise<number>
}

export async function findWithCount<P, E> (steps: FindCountSteps<P, E>): Promise<[E[], number]> {
  let total: number | undefined
  const entries = await steps.find(async (found) => {
    let rows: E[] | undefined
    total = await steps.count(found, async (counted) => {
      if (!steps.same(counted, found)) return await steps.countOnly(counted)
      const [page, n] = await steps.both(found)
      rows = page
      return n
    })
    // A count hook answered without the statement: the rows on their own.
    return rows ?? await steps.findOnly(found)
  })
  // A findMany hook answered without calling next(): the count still runs, on its own.
  total ??= await steps.count(undefined, steps.countOnly)
  return [entries, total]
}
