/**
 * The value shapes every layer accepts, defined once: plain objects, comma lists, and the forms of
 * `populate` (`'*'`, `'a,b.c'`, `['a', 'b.c']`, `{ a: true, b: { populate: … } }`) normalized to one object
 * per level. Option names differ per layer (REST `fields`/`filters`/`sort`, Query Engine `select`/`where`/
 * `orderBy`), so nothing here looks inside the options; errors are the caller's, with its own wording.
 */

export type PlainObject = Record<string, unknown>

/** An object literal (or a null-prototype object, as qs builds them): never an array, a Date or a class instance. */
export function isPlainObject (value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** `"a, b,,c"` → `['a', 'b', 'c']`. */
export function splitList (text: string): string[] {
  return text.split(',').map(s => s.trim()).filter(s => s !== '')
}

function entriesObject (): PlainObject {
  return Object.create(null) as PlainObject
}

/** Adds `a.b.c` as `{ a: { populate: { b: { populate: { c: true } } } } }`. */
export function addDotted (into: PlainObject, parts: string[]): void {
  const [head, ...rest] = parts
  if (head === undefined || head === '') return
  if (rest.length === 0) {
    if (into[head] === undefined || into[head] === false) into[head] = true
    return
  }
  const existing = into[head]
  const options: PlainObject = isPlainObject(existing) ? { ...existing } : {}
  const nested = populateEntries(options.populate) ?? entriesObject()
  addDotted(nested, rest)
  into[head] = { ...options, populate: nested }
}

/**
 * Every populate form as `{ name: true | options }` (a fresh null-prototype object), `'*'` meaning every
 * first-level attribute; nothing to populate → `{}`; undefined when the value is no populate form.
 * `split` turns a comma list into names (the REST layer counts them against its array limit).
 */
export function populateEntries (value: unknown, split: (text: string) => string[] = splitList): PlainObject | undefined {
  const entries = entriesObject()
  if (value === undefined || value === null || value === false || value === 'false' || value === '') return entries
  if (value === true || value === 'true' || value === '*') {
    entries['*'] = true
    return entries
  }
  if (isPlainObject(value)) return Object.assign(entries, value)
  let items: unknown[]
  if (typeof value === 'string') items = split(value)
  else if (Array.isArray(value)) items = value
  else return undefined
  for (const item of items) {
    if (typeof item !== 'string') return undefined
    for (const name of split(item)) {
      if (name === '*') entries['*'] = true
      else addDotted(entries, name.split('.').map(s => s.trim()))
    }
  }
  return entries
}

/**
 * The options of one populated attribute or fragment: `true`/`'t'`/`'1'`/`'*'` → `{ options: {} }`, `false`/`'f'`/`'0'`
 * (or nothing) → `{}` (not populated), an object → itself; undefined when the value is none of these.
 */
export function optionsOf (value: unknown): { options?: PlainObject } | undefined {
  // Strapi parses a populate value as a boolean: `t`/`1` and `f`/`0` too.
  if (value === false || value === undefined || value === null || value === 'false' || value === 'f' || value === '0') return {}
  if (value === true || value === 'true' || value === 't' || value === '1' || value === '*') return { options: {} }
  if (isPlainObject(value)) return { options: value }
  return undefined
}

/**
 * The fragments of a populated dynamic zone: its `on` object, or, without one, every allowed component
 * with the zone's own `populate`; undefined when `on` is not an object.
 */
export function zoneFragments (components: readonly string[], options: PlainObject): PlainObject | undefined {
  if (options.on === undefined) {
    return Object.fromEntries(components.map(uid => [uid, options.populate === undefined ? true : { populate: options.populate }]))
  }
  return isPlainObject(options.on) ? options.on : undefined
}
