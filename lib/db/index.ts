/** The database layer: client, physical layout, Drizzle tables and schema sync. Pure: no Fastify. */
export {
  createDatabase, executeOn, redactUrl, rowsOf,
  type Database, type DatabaseOption, type DrizzleDatabase, type Executor, type QueryListener
} from './client.js'
export { DatabaseConnectionError, DatabaseLockedError, pgErrorOf, SchemaSyncError, type PgError } from './errors.js'
export { buildTables, columnBuilder, columnOf } from './tables.js'
export { buildSnapshot, hashSnapshot, SNAPSHOT_VERSION, type SchemaSnapshot, type SnapshotTable } from './snapshot.js'
export { SCHEMA_LOCK_KEY, SCHEMA_TABLE, syncSchema, type DestructiveChange, type SyncOptions, type SyncReport } from './sync.js'
export { canonicalType, isSafeWidening, quoteIdent, quoteLiteral } from './ddl.js'
export { normalizerFor, toBigintString, toDate, toIsoTimestamp, toJson, toNumericString, toTime } from './values.js'
export * from './naming.js'
export * from './physical.js'
export { createTransactions, PREPARED_LIMIT, type SqlRunner, type Statement, type TransactionOptions, type TransactionScope, type Transactions } from './transaction.js'
