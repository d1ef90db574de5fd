import type { ComponentAttribute, DynamicZoneAttribute, MorphAttribute, RelationAttribute } from '../content-types/index.js'
import type { ComponentJoinTable, MorphLinkTable, RelationLink } from '../db/index.js'
import type { FieldInfo, ModelInfo } from './model.js'
import type { SqlValue } from './values.js'

/**
 * The typed, model-checked form of Query Engine params. Everything here was validated and cast by
 * params.ts; the compilers (where.ts, select.ts) trust it and never see client input.
 */

export const SCALAR_OPERATORS = [
  '$eq', '$eqi', '$ne', '$nei', '$lt', '$lte', '$gt', '$gte', '$in', '$notIn',
  '$contains', '$notContains', '$containsi', '$notContainsi', '$null', '$notNull', '$between',
  '$startsWith', '$startsWithi', '$endsWith', '$endsWithi'
] as const
export type ScalarOperator = typeof SCALAR_OPERATORS[number]
export const LOGICAL_OPERATORS = ['$and', '$or', '$not'] as const

/** How a condition or a sort key reaches rows of another table from a row of its model. */
export type Via =
  | { kind: 'relation', name: string, link: RelationLink, target: ModelInfo }
  | { kind: 'component', name: string, join: ComponentJoinTable, component: ModelInfo }

export type Where =
  | { kind: 'and' | 'or', items: Where[] }
  | { kind: 'not', item: Where }
  | { kind: 'compare', field: FieldInfo, op: ScalarOperator, value: SqlValue | SqlValue[] }
  /** Some related row (or component) matches `where` (any row when undefined). */
  | { kind: 'exists', via: Via, where?: Where }
  /**
   * Another row of the same document (and locale, when `sameLocale`) has `status`; with `draftNewer`, only one
   * whose draft side of the pair was updated later (true) or not later (false) than its published side.
   */
  | { kind: 'version', info: ModelInfo, status: 'draft' | 'published', sameLocale: boolean, draftNewer?: boolean }
  | { kind: 'const', value: boolean }

export interface OrderTerm {
  /** Relations / components walked from the model, then the field sorted on. */
  path: Via[]
  field: FieldInfo
  direction: 'asc' | 'desc'
}

/** What one row of a model returns: its fields and its populated attributes. */
export interface SelectPlan {
  info: ModelInfo
  fields: FieldInfo[]
  populate: PopulateNode[]
}

/** Options shared by relation and component populates. */
export interface ListOptions {
  where?: Where
  orderBy: OrderTerm[]
  limit?: number
  offset?: number
}

export type PopulateNode =
  | ({ kind: 'relation', name: string, attribute: RelationAttribute, link: RelationLink, target: ModelInfo, plan: SelectPlan, count: boolean } & ListOptions)
  | ({ kind: 'component', name: string, attribute: ComponentAttribute, join: ComponentJoinTable, component: ModelInfo, plan: SelectPlan } & ListOptions)
  /** A dynamic zone: one plan per component uid; a fragment's `where` leaves out the items of that uid it does not match. */
  | { kind: 'zone', name: string, attribute: DynamicZoneAttribute, join: ComponentJoinTable, on: Array<SelectPlan & { where?: Where }> }
  /** A polymorphic owning side: the rows its `*_mph` table names, one plan per type that can be linked (items carry `__type`). */
  | { kind: 'morph', name: string, attribute: MorphAttribute, link: MorphLinkTable, on: SelectPlan[] }
  /** The virtual `localizations` relation: the other rows of the same document (see ModelInfo.localizations). */
  | ({ kind: 'localizations', name: string, plan: SelectPlan } & ListOptions)

export interface FindPlan {
  info: ModelInfo
  select: SelectPlan
  where?: Where
  orderBy: OrderTerm[]
  limit?: number
  offset?: number
}
