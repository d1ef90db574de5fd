export { compose, type Middleware, type Next } from '../compose.js'
export { createContext, errorForStatus, hasExplicitStatus, JsonText, type RequestContext, responseBody } from './context.js'
export {
  contextOf, createGlobalHook, createRouteHandlers, releaseAborted, releaseSuspended, replyFromContext, RequestAbortedError, unwindAll,
  type BoundPolicy, type ContextMiddleware, type Controller, type RouteStages
} from './pipeline.js'
export { createBodyDepthHook } from './body-depth.js'
export { createRequestContextStore, type RequestContextStore } from './request-context.js'
