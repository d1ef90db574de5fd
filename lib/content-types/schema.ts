import { Type, type TSchema } from '@sinclair/typebox'
import { Value, ValueErrorType } from '@sinclair/typebox/value'
import { show } from './problems.js'

/**
 * Strapi's schema format described in TypeBox: the shape of the raw input (which keys hold which JSON
 * types). Meaning (known types, targets, pairing, names) is checked by hand in validate.ts. Unknown keys
 * are allowed: real Strapi projects carry admin-only keys we have no use for.
 *
 * Each schema carries `expected`, the phrase used in our messages, since TypeBox's own are terse.
 */

const Bool = Type.Boolean({ expected: 'true or false' })
const Name = Type.String({ minLength: 1, expected: 'a non-empty string' })
const Text = Type.String({ expected: 'a string' })
const Count = Type.Integer({ minimum: 0, expected: 'a non-negative integer' })
const Bound = Type.Union([Type.Number(), Type.String()], { expected: 'a number' })
const List = Type.Array(Type.Unknown(), { expected: 'an array' })
const I18nOptions = Type.Object({
  i18n: Type.Optional(Type.Object({ localized: Type.Optional(Bool) }, { expected: 'an object' }))
}, { expected: 'an object' })

export const AttributeShape = Type.Object({
  type: Text,
  required: Type.Optional(Bool),
  unique: Type.Optional(Bool),
  private: Type.Optional(Bool),
  configurable: Type.Optional(Bool),
  writable: Type.Optional(Bool),
  visible: Type.Optional(Bool),
  searchable: Type.Optional(Bool),
  repeatable: Type.Optional(Bool),
  multiple: Type.Optional(Bool),
  minLength: Type.Optional(Count),
  maxLength: Type.Optional(Count),
  min: Type.Optional(Bound),
  max: Type.Optional(Bound),
  regex: Type.Optional(Name),
  enum: Type.Optional(List),
  targetField: Type.Optional(Name),
  relation: Type.Optional(Name),
  target: Type.Optional(Name),
  inversedBy: Type.Optional(Name),
  mappedBy: Type.Optional(Name),
  component: Type.Optional(Name),
  components: Type.Optional(List),
  renamedFrom: Type.Optional(Name),
  pluginOptions: Type.Optional(I18nOptions)
}, { expected: 'an object' })

/** Keys Strapi schemas may carry on an attribute: any other key close to one of these is a likely typo. */
export const KNOWN_ATTRIBUTE_KEYS: readonly string[] = [
  ...Object.keys(AttributeShape.properties),
  'default', 'enumName', 'morphBy', 'morphColumn', 'joinTable', 'joinColumn', 'useJoinTable',
  'allowedTypes', 'customField', 'options', 'conditions', 'column', 'displayName', 'description', 'placeholder'
]

const Attributes = Type.Record(Type.String(), Type.Unknown(), { expected: 'an object of attributes' })

export const ContentTypeShape = Type.Object({
  kind: Type.Optional(Text),
  collectionName: Type.Optional(Name),
  info: Type.Object({
    singularName: Text,
    pluralName: Text,
    displayName: Type.Optional(Name),
    description: Type.Optional(Text)
  }, { expected: 'an object' }),
  options: Type.Optional(Type.Object({
    draftAndPublish: Type.Optional(Bool),
    populateCreatorFields: Type.Optional(Bool)
  }, { expected: 'an object' })),
  pluginOptions: Type.Optional(I18nOptions),
  attributes: Attributes
}, { expected: 'an object' })

export const ComponentShape = Type.Object({
  collectionName: Type.Optional(Name),
  info: Type.Optional(Type.Object({
    displayName: Type.Optional(Name),
    description: Type.Optional(Text),
    icon: Type.Optional(Text)
  }, { expected: 'an object' })),
  options: Type.Optional(Type.Object({}, { expected: 'an object' })),
  attributes: Attributes
}, { expected: 'an object' })

/** `/info/singularName` → `info.singularName`, `/components/1` → `components[1]`. */
function dotted (pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`, '')
}

/**
 * Checks `value` against `schema` and returns one human message per wrong key (`info.singularName is
 * required`, `minLength must be a non-negative integer (got -1)`). A key's first error wins, and errors
 * inside a key already reported are dropped, so one mistake gives one line.
 */
export function shapeErrors (schema: TSchema, value: unknown): Array<{ path: string, message: string }> {
  const errors: Array<{ path: string, message: string }> = []
  const reported: string[] = []
  for (const error of Value.Errors(schema, value)) {
    if (reported.some(path => error.path === path || error.path.startsWith(`${path}/`))) continue
    reported.push(error.path)
    const path = dotted(error.path)
    const expected = typeof error.schema.expected === 'string' ? error.schema.expected : 'valid'
    const message = error.type === ValueErrorType.ObjectRequiredProperty
      ? 'is required'
      : `must be ${expected} (got ${show(error.value)})`
    errors.push({ path, message: path === '' ? `the schema ${message}` : `${path} ${message}` })
  }
  return errors
}
