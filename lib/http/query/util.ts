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
