/** Strapi 5 data-transfer archives: `vellum export` and `vellum import` (lib/cli) are thin over these. */
export { exportArchive, type ExportOptions } from './export.js'
export { importArchive, type ImportOptions, type ImportReport } from './import.js'
export { STRAPI_VERSION, TransferError, type TransferCounts, type TransferProgress } from './format.js'
