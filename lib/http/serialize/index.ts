/** Response serialization: model-built JSON Schemas for the `{ data, meta }` envelopes, and a lossless serializer. */
export {
  buildResponseSchemas,
  type JsonSchema, type ResponseAction, type ResponseSchemaOptions, type ResponseSchemas
} from './schemas.js'
export { compileSerializer, createSerializerCompiler, type Serializer } from './serializer.js'
