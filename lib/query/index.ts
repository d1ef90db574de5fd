/** The Query Engine: Strapi's row-level query API with lifecycles and implicit transactions. Pure: no Fastify. */
export {
  createQueryEngine,
  type CountParams, type CreateManyParams, type CreateParams, type Data, type DeleteManyParams, type DeleteParams,
  type Entry, type FindPageParams, type FindParams, type LoadParams, type OrderByParam, type Pagination,
  type PopulateParam, type QueryEngine, type QueryEngineOptions, type QueryRepository, type ReadOptions, type TextReadOptions,
  type TextRows, type UpdateManyParams, type UpdateParams, type WhereParam
} from './engine.js'
export {
  QUERY_ACTIONS,
  type EventModel, type HookName, type LifecycleEvent, type LifecycleHandler, type LifecyclesApi, type QueryAction,
  type Subscriber, type SubscriberFunction
} from './lifecycles.js'
export { createCatalog, type Catalog, type FieldInfo, type ModelInfo } from './model.js'
export {
  invalidKey, parseFilter, parseFind, parseOrderBy, parsePopulate, parseSelect, parseWhere,
  type FindInput, type ParseOptions
} from './params.js'
export {
  addDotted, isPlainObject, optionsOf, populateEntries, splitList, zoneFragments, type PlainObject
} from './forms.js'
export { contentKey, copyContent, lruPerOwner } from './keys.js'
export { castScalar, type CastFailure } from './values.js'
export {
  componentValues, parsePosition, parseRelationOps, placeAt, type PayloadDialect, type Position
} from './payload.js'
export type { FindPlan, OrderTerm, PopulateNode, SelectPlan, Where } from './ast.js'
export { compileCount, compileFind } from './select.js'
export { isReadPlan, planRead, type ReadPlan } from './plan.js'
export { PUBLICATION_FILTERS, PUBLICATION_KEY, readPublicationFilter, type PublicationFilter } from './publication.js'
export { findWithCount, type FindCountSteps } from './find-count.js'
export { checkFilterDepth, checkList, checkPopulateDepth, limitError, type ReadLimits } from './limits.js'
export { compileFreeUid, compileUidLock, type UidScope } from './uid.js'
export { parseData, type WriteData } from './data.js'
export { compileTargetRows, type DocumentInsert, type DocumentInserted, type DocumentLinks, type DocumentRow, type TargetLookup } from './write.js'
export type { TransactionScope } from '../db/index.js'
