export {
  DEFAULT_GLOBAL_MIDDLEWARES, findMiddleware, registerGlobalMiddlewares, resolveGlobalMiddlewares, resolveRouteMiddleware,
  resolveRouteMiddlewares, type GlobalMiddlewares, type MiddlewareResolution, type RouteMiddlewareResolution
} from './resolve.js'
export { BUILTINS, findBuiltin, type ScopePlugin } from './builtins/index.js'
export type { CorsOriginContext } from './builtins/cors.js'
