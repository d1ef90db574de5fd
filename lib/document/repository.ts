import { randomFillSync } from 'node:crypto'
import { init } from '@paralleldrive/cuid2'
import type { ContentType } from '../content-types/index.js'
import { ValidationError } from '../errors.js'
import { isPlainObject, type ParseOptions, type PlainObject, type ReadOptions, readPublicationFilter } from '../query/index.js'
import { and, isDraftAndPublish, isLocalized, localeWhere, parseLocale, parseStatus, rowLocale, type ServiceContext } from './context.js'
import { alignInverseOrder, copyData, deepPopulate, indexLinks, isShared, type Row, sameShared } from './copy.js'
import { shapeRows } from './output.js'
import { insertPlanned, planCreate } from './insert.js'
import { lockDocument } from './lock.js'
import { buildRead, type DocumentRead, parseWindow, type ReadScope, scopeWhere } from './params.js'
import { toQueryData, type RowContext } from './relations.js'
import { repoint } from './repoint.js'
import type {
  CountParams, CreateParams, DeleteParams, DocumentEntry, DocumentRepositoryWithCount, FindFirstParams, FindManyParams,
  FindOneParams, PublicationParams, Status, UpdateParams
} from './types.js'
import { withGeneratedUids } from './uid.js'
import { type Prepared, type PreparedComponent, prepareData, validateStored } from './validate.js'

/**
 * The actions of one content type (contract §13), on top of the Query Engine: every row read or written
 * goes through `db.query(uid)`, so lifecycle hooks fire and the action's transaction is joined. The
 * transaction itself (one per write action) and the middlewares are added by index.ts.
 *
 * Rows: one per document × locale × status (draft, published) on draft-and-publish types, one per document ×
 * locale otherwise (its `publishedAt` = creation time). Publishing updates the published row in place, so its
 * id stays stable and its incoming links survive (see README.md for the events each action fires).
 */

/**
 * cuid2's random numbers, each a crypto-random 32-bit word as its own source makes them, drawn from a pool
 * filled 1,024 words at a time: its source asks for one word per call, 26 calls per id, which took half of an
 * id's 230 µs (Node 20, loaded machine: 110 µs pooled).
 */
const RANDOM_WORDS = 1024
const randomWords = new Uint32Array(RANDOM_WORDS)
let nextWord = RANDOM_WORDS

function pooledRandom (): number {
  if (nextWord === RANDOM_WORDS) {
    randomFillSync(randomWords)
    nextWord = 0
  }
  return (randomWords[nextWord++] as number) / 0x100000000
}

/** Strapi v5's documentId: a 24-character cuid2. */
export const createDocumentId = init({ length: 24, random: pooledRandom })

const ROW_FIELDS = ['id', 'documentId', 'locale', 'publishedAt', 'createdAt']

function requireDocumentId (value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError('documentId is required', { key: 'documentId', param: 'documentId', value: value ?? null })
  }
  return value
}

const UNTRUSTED: ParseOptions = { allowPrivate: false }

/** The Query Engine read options of a call's params: its `signal`. */
function runOf (params: PlainObject): ReadOptions | undefined {
  const { signal } = params
  if (signal === undefined) return undefined
  if (!(signal instanceof AbortSignal)) throw new ValidationError('The signal parameter must be an AbortSignal', { param: 'signal' })
  return { signal }
}

function paramsOf (params: unknown, action: string): PlainObject {
  if (params === undefined || params === null) return {}
  if (!isPlainObject(params)) throw new ValidationError(`${action} expects an object of params`, { value: params })
  return params
}

export function createRepository (ctx: ServiceContext, model: ContentType): DocumentRepositoryWithCount {
  const { uid } = model
  const query = ctx.db.query(uid)
  const dp = isDraftAndPublish(model)
  const localized = isLocalized(model)

  function requireDraftAndPublish (action: string): void {
    if (!dp) throw new ValidationError(`${action} requires draft & publish, which ${uid} does not have`, { uid, action })
  }

  /** The locales a publication action works on: one, `'*'` (every locale the document has) or a list. */
  function localesOf (value: unknown): string[] | '*' {
    if (!localized) return '*'
    if (Array.isArray(value)) return value.map(v => parseLocale(ctx, v, false))
    const locale = parseLocale(ctx, value, true)
    return locale === '*' ? '*' : [locale]
  }

  /** publish, unpublish and discardDraft begin alike: their parameters, the document's locales, and its lock. */
  async function lockPublication (raw: unknown, action: 'publish' | 'unpublish' | 'discardDraft'): Promise<{ params: PublicationParams, documentId: string, locales: string[] | '*' }> {
    requireDraftAndPublish(action)
    const params = paramsOf(raw, action) as unknown as PublicationParams
    const documentId = requireDocumentId(params.documentId)
    const locales = localesOf(params.locale)
    await lockDocument(ctx, model, documentId)
    return { params, documentId, locales }
  }

  function localeFilter (locales: string[] | '*'): PlainObject | undefined {
    return locales === '*' || !localized ? undefined : { locale: { $in: locales } }
  }

  /** Every row of a document (in some locales), read deep: what writes copy and compare. */
  async function documentRows (documentId: string, locales: string[] | '*', extra?: unknown): Promise<Row[]> {
    const populate = deepPopulate(ctx.schema, model)
    return await query.findMany({
      where: and({ documentId }, localeFilter(locales), extra),
      ...(populate !== undefined && { populate }),
      orderBy: { id: 'asc' }
    }) as Row[]
  }

  /** What an update reads of the document's rows: which row it writes, and what its generated uids start from. */
  const updateFields = [...new Set([...ROW_FIELDS, ...Object.values(model.attributes).flatMap(a => a.type === 'uid' && a.targetField !== undefined ? [a.name, a.targetField] : [])])]

  async function readEntries (where: unknown[], scope: ReadScope, shape: PlainObject): Promise<DocumentEntry[]> {
    const read = buildRead(ctx, model, { fields: shape.fields, populate: shape.populate, sort: { id: 'asc' } }, scope, where)
    return shapeRows(read.output, await query.findMany(read.plan, runOf(shape)))
  }

  function readOf (documentId: string, scope: ReadScope, shape: PlainObject): DocumentRead {
    return buildRead(ctx, model, { fields: shape.fields, populate: shape.populate }, scope, [{ documentId }, ...scopeWhere(model, scope)])
  }

  async function readOne (documentId: string, scope: ReadScope, shape: PlainObject, read = readOf(documentId, scope, shape)): Promise<DocumentEntry | null> {
    const row = await query.findOne(read.plan, runOf(shape))
    if (row === null) return null
    const [entry] = shapeRows(read.output, [row])
    return entry ?? null
  }

  function rowContext (locale: string): RowContext {
    return { kind: dp ? 'draft' : 'both', locale: rowLocale(model, locale), requestLocale: locale === '*' ? ctx.i18n.defaultLocale : locale }
  }

  function sharedPart (prepared: Prepared): Prepared | undefined {
    if (!localized) return undefined
    const scalars: PlainObject = {}
    for (const [name, value] of Object.entries(prepared.scalars)) {
      const attribute = model.attributes[name]
      if (attribute !== undefined && isShared(attribute)) scalars[name] = value
    }
    const components = new Map([...prepared.components].filter(([name]) => {
      const attribute = model.attributes[name]
      return attribute !== undefined && isShared(attribute)
    }).map(([name, items]) => [name, items.map(stripIds)]))
    if (Object.keys(scalars).length === 0 && components.size === 0) return undefined
    return { model, scalars, relations: [], components }
  }

  /** Components copied to another row are new rows there. */
  function stripIds (item: PreparedComponent): PreparedComponent {
    return { uid: item.uid, data: { ...item.data, components: new Map([...item.data.components].map(([k, v]) => [k, v.map(stripIds)])) } }
  }

  /**
   * Writes the attributes shared by all locales (non-localized) onto the other locales' rows of the same
   * status; relations inside copied components follow each locale (dropped when the target lacks it).
   */
  async function syncShared (documentId: string, except: number, status: 'draft' | 'published', shared: Prepared | undefined): Promise<void> {
    if (shared === undefined) return
    const others = await query.findMany({
      where: and({ documentId }, { id: { $ne: except } }, dp ? { publishedAt: status === 'draft' ? { $null: true } : { $notNull: true } } : undefined),
      select: ['id', 'locale'],
      orderBy: { id: 'asc' }
    })
    for (const other of others) {
      const locale = String(other.locale)
      const data = await toQueryData(ctx, shared, { ...rowContext(locale), kind: dp && status === 'draft' ? 'draft' : 'both' }, { lenient: true })
      await query.update({ where: { id: other.id }, data, select: ['id'] })
    }
  }

  /** Copies the shared attributes of `source` (read deep) onto the other rows of the same status. */
  async function syncSharedFromRow (source: Row, others: Row[], status: 'draft' | 'published'): Promise<void> {
    const changed = others.filter(other => !sameShared(model, source, other))
    if (!localized || changed.length === 0) return
    const index = await indexLinks(ctx, model, [source])
    for (const other of changed) {
      const data = copyData(ctx.schema, model, source, {
        only: isShared,
        relations: false,
        index,
        to: { locale: other.locale as string | null, status },
        counterpart: other
      })
      await query.update({ where: { id: other.id }, data, select: ['id'] })
    }
  }

  /**
   * Publishes the drafts of some locales: each draft is validated with the publish rules, then copied onto
   * its published row (updated in place), or onto a new published row, whose incoming pending links are then
   * re-pointed at it. Returns the published rows' ids.
   */
  async function publishLocales (documentId: string, locales: string[] | '*', options: { filters?: unknown, fresh?: Set<string> } = {}): Promise<number[]> {
    const rows = await documentRows(documentId, locales, options.filters)
    const drafts = rows.filter(r => r.publishedAt === null)
    for (const draft of drafts) {
      const errors = validateStored(ctx.schema, model, draft)
      if (errors.length > 0) throw ValidationError.fromItems(errors)
    }
    if (drafts.length === 0) return []
    const index = await indexLinks(ctx, model, drafts)
    const now = new Date()
    const ids: number[] = []
    for (const draft of drafts) {
      const published = rows.find(r => r.publishedAt !== null && r.locale === draft.locale)
      const data = copyData(ctx.schema, model, draft, {
        relations: true,
        index,
        to: { locale: draft.locale as string | null, status: 'published' },
        ...(published !== undefined && { counterpart: published })
      })
      if (published !== undefined) {
        await query.update({ where: { id: published.id }, data: { ...data, publishedAt: now }, select: ['id'] })
        ids.push(published.id)
      } else {
        const created = await query.create({
          data: { ...data, documentId, locale: draft.locale, publishedAt: now, createdAt: draft.createdAt },
          select: ['id']
        })
        ids.push(created.id)
        await repoint(ctx, model, draft.id, created.id, 'publish', options.fresh)
        await alignInverseOrder(ctx, model, draft.id, created.id)
      }
    }
    if (localized && options.fresh === undefined) {
      // The other locales' published rows share the non-localized attributes (a new document has none).
      const source = drafts[drafts.length - 1]!
      const others = await documentRows(documentId, '*', { publishedAt: { $notNull: true }, id: { $notIn: ids } })
      await syncSharedFromRow(source, others, 'published')
    }
    return ids
  }

  /**
   * An update of an existing document (or a new locale of it), under the document's lock: its rows are read
   * once every earlier write to it has committed, so a concurrent one never adds a second row of a locale.
   */
  async function updateDocument (params: UpdateParams, documentId: string): Promise<DocumentEntry | null> {
    const status = parseStatus(params.status)
    const locale = parseLocale(ctx, params.locale, false)
    const rowLoc = rowLocale(model, locale)
    await lockDocument(ctx, model, documentId)
    const rows = await query.findMany({ where: { documentId }, select: updateFields, orderBy: { id: 'asc' } }) as Row[]
    if (rows.length === 0) return null
    const current = rows.find(r => (!localized || r.locale === rowLoc) && (!dp || r.publishedAt === null))
    // A new locale inherits the attributes shared by all locales from an existing row, read deep.
    const first = current === undefined ? rows.find(r => !dp || r.publishedAt === null) ?? rows[0] : undefined
    const source = first === undefined ? undefined : (await documentRows(documentId, '*', { id: first.id }))[0]
    const inherited = new Set(source === undefined ? [] : Object.values(model.attributes).filter(isShared).map(a => a.name))
    const prepared = prepareData(ctx.schema, model, params.data, {
      publish: !dp,
      creating: current === undefined,
      locales: ctx.i18n.locales,
      provided: inherited
    })
    const base = source === undefined
      ? {}
      : copyData(ctx.schema, model, source, {
        only: isShared,
        relations: false,
        index: await indexLinks(ctx, model, [source]),
        to: { locale: rowLoc, status: 'draft' }
      })
    const publish = dp && status === 'published'
    await withGeneratedUids(ctx, { model, documentId, locale: rowLoc, scalars: prepared.scalars, current: current ?? base }, async () => {
      const data = await toQueryData(ctx, prepared, rowContext(locale))
      let written: number
      if (current !== undefined) {
        await query.update({ where: { id: current.id }, data, select: ['id'] })
        written = current.id
      } else {
        const created = await query.create({
          data: { ...base, ...data, documentId, locale: rowLoc, publishedAt: dp ? null : new Date() },
          select: ['id']
        })
        written = created.id
      }
      await syncShared(documentId, written, 'draft', sharedPart(prepared))
      if (publish) await publishLocales(documentId, [locale])
    })
    return await readOne(documentId, { locale, status: dp ? (publish ? 'published' : 'draft') : status }, params as unknown as PlainObject)
  }

  /** What a read selects: status, locale (any allowed) and publication cohort. */
  function readScope (params: FindManyParams | FindOneParams | CountParams): ReadScope {
    const publication = readPublicationFilter(params)
    return { status: parseStatus(params.status), locale: parseLocale(ctx, params.locale, true), ...(publication !== undefined && { publication }) }
  }

  function listRead (params: FindManyParams, options?: ParseOptions): DocumentRead {
    const scope = readScope(params)
    const { limit, offset } = parseWindow(params as PlainObject)
    const input = { fields: params.fields, filters: params.filters, sort: params.sort, populate: params.populate, _q: params._q }
    return buildRead(ctx, model, { ...input, ...(limit !== undefined && { limit }), ...(offset !== undefined && { offset }) }, scope, scopeWhere(model, scope), options)
  }

  async function entriesById (ids: number[], shape: PlainObject, status: Status): Promise<DocumentEntry[]> {
    if (ids.length === 0) return []
    return await readEntries([{ id: { $in: ids } }], { status, locale: '*' }, shape)
  }

  return {
    async findOne (raw) {
      const params = paramsOf(raw, 'findOne') as unknown as FindOneParams
      const documentId = requireDocumentId(params.documentId)
      return await readOne(documentId, readScope(params), params as unknown as PlainObject)
    },

    async findFirst (raw) {
      const params = paramsOf(raw, 'findFirst') as FindFirstParams
      const scope = readScope(params)
      const read = buildRead(ctx, model, params, scope, scopeWhere(model, scope))
      const row = await query.findOne(read.plan, runOf(params))
      if (row === null) return null
      return shapeRows(read.output, [row])[0] ?? null
    },

    async findMany (raw) {
      const params = paramsOf(raw, 'findMany')
      const read = listRead(params as FindManyParams)
      return shapeRows(read.output, await query.findMany(read.plan, runOf(params)))
    },

    async findWithCount (raw) {
      const params = paramsOf(raw, 'findWithCount')
      const read = listRead(params as FindManyParams)
      const [rows, total] = await query.findWithCount(read.plan, runOf(params))
      return [shapeRows(read.output, rows), total]
    },

    // Text reads never select private attributes: their callers would have removed them from entries.
    planText (action, raw) {
      const params = paramsOf(raw, action) as FindManyParams
      if (action === 'findMany') return { action, read: listRead(params, UNTRUSTED).plan }
      const scope = readScope(params)
      // A findOne reads fields and populate only; its documentId is the run's (TextReadOptions).
      const input = action === 'findOne'
        ? { fields: params.fields, populate: params.populate, limit: 1 }
        : { fields: params.fields, filters: params.filters, sort: params.sort, populate: params.populate, _q: params._q, limit: 1 }
      return { action, read: buildRead(ctx, model, input, scope, scopeWhere(model, scope), UNTRUSTED).plan }
    },

    async findText ({ action, read }, { total, readable, documentId, signal }) {
      const one = action !== 'findMany'
      return await query.findText(read, {
        one,
        ...(signal !== undefined && { signal }),
        ...(action === 'findOne' && { documentId: requireDocumentId(documentId) }),
        ...(total === true && !one && { total }),
        ...(readable !== undefined && { readable })
      })
    },

    async count (raw) {
      const params = paramsOf(raw, 'count') as CountParams
      const scope = readScope(params)
      const read = buildRead(ctx, model, { filters: params.filters, _q: params._q }, scope, scopeWhere(model, scope))
      return await query.count(read.plan, runOf(params as PlainObject))
    },

    async create (raw) {
      const params = paramsOf(raw, 'create') as unknown as CreateParams
      if (model.kind === 'singleType') {
        // A single type has one document: under the type's lock, a create finding it (made meanwhile by a
        // concurrent create, say) updates it.
        await lockDocument(ctx, model, '')
        const existing = await query.findOne({ select: ['documentId'], orderBy: { id: 'asc' } })
        if (existing !== null) {
          const entry = await updateDocument({ ...params, documentId: String(existing.documentId) }, String(existing.documentId))
          if (entry === null) throw new Error(`${uid} ${String(existing.documentId)} could not be read back`)
          return entry
        }
      }
      const status = parseStatus(params.status)
      const locale = parseLocale(ctx, params.locale, false)
      const prepared = prepareData(ctx.schema, model, params.data, { publish: !dp, creating: true, locales: ctx.i18n.locales })
      const documentId = createDocumentId()
      const rowLoc = rowLocale(model, locale)
      const publish = dp && status === 'published'
      // One statement when no hook listens and the data allows it (outside a transaction it commits on its own,
      // see index.ts); step by step otherwise, in one transaction.
      const plan = await planCreate(ctx, model, prepared, { documentId, locale, publish })
      const stepByStep = (): Promise<void> => withGeneratedUids(ctx, { model, documentId, locale: rowLoc, scalars: prepared.scalars }, async () => {
        const data = await toQueryData(ctx, prepared, rowContext(locale))
        await query.create({ data: { ...data, documentId, locale: rowLoc, publishedAt: dp ? null : new Date() }, select: ['id'] })
        if (publish) {
          // Only links written here from the other side can point at the new draft.
          const fresh = new Set(prepared.relations.filter(r => !r.attribute.owner).map(r => r.attribute.name))
          await publishLocales(documentId, [locale], { fresh })
        }
      })
      // Without D&P the single row is both; the requested status still decides which rows of populated targets show.
      const scope: ReadScope = { locale, status: dp ? (publish ? 'published' : 'draft') : status }
      let read: DocumentRead | undefined
      if (plan !== undefined) {
        // An answer that populates nothing is built by the insert itself, from the row it wrote.
        read = readOf(documentId, scope, params as unknown as PlainObject)
        const written = await insertPlanned(ctx, plan, read.plan.find.select.populate.length === 0 ? read.plan.find.select : undefined)
        const [entry] = written === undefined ? [] : shapeRows(read.output, [written])
        if (entry !== undefined) return entry
      } else if (ctx.db.inTransaction()) await stepByStep()
      else await ctx.db.transaction(stepByStep, { whole: true, retry: true, ...runOf(params as unknown as PlainObject) })
      const entry = await readOne(documentId, scope, params as unknown as PlainObject, read)
      if (entry === null) throw new Error(`created ${uid} ${documentId} could not be read back`)
      return entry
    },

    async update (raw) {
      const params = paramsOf(raw, 'update') as unknown as UpdateParams
      return await updateDocument(params, requireDocumentId(params.documentId))
    },

    async delete (raw) {
      const params = paramsOf(raw, 'delete') as unknown as DeleteParams
      const documentId = requireDocumentId(params.documentId)
      if (params.status === 'draft' && dp) {
        throw new ValidationError('Cannot delete a draft document: delete the document, or use discardDraft', { key: 'status', param: 'status', value: 'draft' })
      }
      const locale = parseLocale(ctx, params.locale, true)
      await lockDocument(ctx, model, documentId)
      const where = [{ documentId }, localeWhere(model, locale), params.filters]
      const entries = await readEntries(where, { status: 'draft', locale }, params as unknown as PlainObject)
      for (const entry of entries) await query.delete({ where: { id: entry.id }, select: ['id'] })
      return { documentId, entries }
    },

    async publish (raw) {
      const { params, documentId, locales } = await lockPublication(raw, 'publish')
      const ids = await publishLocales(documentId, locales, { filters: params.filters })
      return { documentId, entries: await entriesById(ids, params as unknown as PlainObject, 'published') }
    },

    async unpublish (raw) {
      const { params, documentId, locales } = await lockPublication(raw, 'unpublish')
      const extra = [{ documentId }, localeFilter(locales), params.filters]
      const entries = await readEntries([...extra, { publishedAt: { $notNull: true } }], { status: 'published', locale: '*' }, params as unknown as PlainObject)
      if (entries.length === 0) return { documentId, entries }
      const drafts = await query.findMany({ where: and(...extra, { publishedAt: { $null: true } }), select: ROW_FIELDS })
      for (const entry of entries) {
        const draft = drafts.find(d => d.locale === (localized ? entry.locale : d.locale))
        // Links other published rows hold to this one go back to the draft, pending a new publication.
        if (draft !== undefined) await repoint(ctx, model, entry.id, draft.id, 'unpublish')
        await query.delete({ where: { id: entry.id }, select: ['id'] })
      }
      return { documentId, entries }
    },

    async discardDraft (raw) {
      const { params, documentId, locales } = await lockPublication(raw, 'discardDraft')
      const rows = await documentRows(documentId, locales, params.filters)
      const published = rows.filter(r => r.publishedAt !== null)
      if (published.length === 0) return { documentId, entries: [] }
      const index = await indexLinks(ctx, model, published)
      const ids: number[] = []
      for (const source of published) {
        const draft = rows.find(r => r.publishedAt === null && r.locale === source.locale)
        const data = copyData(ctx.schema, model, source, {
          relations: true,
          index,
          to: { locale: source.locale as string | null, status: 'draft' },
          ...(draft !== undefined && { counterpart: draft })
        })
        if (draft !== undefined) {
          await query.update({ where: { id: draft.id }, data, select: ['id'] })
          ids.push(draft.id)
        } else {
          const created = await query.create({ data: { ...data, documentId, locale: source.locale, publishedAt: null, createdAt: source.createdAt }, select: ['id'] })
          ids.push(created.id)
        }
      }
      if (localized) {
        const others = await documentRows(documentId, '*', { publishedAt: { $null: true }, id: { $notIn: ids } })
        await syncSharedFromRow(published[published.length - 1]!, others, 'draft')
      }
      return { documentId, entries: await entriesById(ids, params as unknown as PlainObject, 'draft') }
    }
  }
}
