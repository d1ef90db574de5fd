/** Input and output sanitization: what the content API must never accept or return (contract §12). */
export { checkInputRelations, type InputAccessOptions, sanitizeInputRelations } from './input.js'
export { sanitizeOutput, type SanitizeOutputOptions } from './output.js'
