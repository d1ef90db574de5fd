import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ValidationError } from '../errors.js'

/**
 * Whether `value` nests objects and arrays more than `max` levels deep (the body itself is level 1). Walked
 * with an explicit stack and stopped at the first branch too deep, so 5,000 levels cost no call stack.
 */
export function nestedDeeperThan (value: unknown, max: number): boolean {
  const stack: Array<{ value: object, level: number }> = []
  if (typeof value === 'object' && value !== null) stack.push({ value, level: 1 })
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.level > max) return true
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child as object, level: item.level + 1 })
    }
  }
  return false
}

/**
 * `preValidation`: a parsed body deeper than `maxDepth` is refused once, before any validator, sanitizer or
 * error detail walks it (recursion there, and the serialization of a detail copying it, overflow the stack).
 */
export function createBodyDepthHook (maxDepth: number) {
  const message = `Request body is nested too deeply (more than ${maxDepth} levels)`
  return function bodyDepth (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    done(nestedDeeperThan(request.body, maxDepth) ? new ValidationError(message, { source: 'body', maxDepth }) : undefined)
  }
}
