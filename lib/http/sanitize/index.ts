/** Output sanitization: what the content API must never return (contract §12). */
export { sanitizeOutput, type SanitizeOutputOptions } from './output.js'
