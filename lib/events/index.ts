import type { Logger } from '../logger.js'

/** The media library's events, named as Strapi's webhooks name them (contract §22). */
export type MediaEventName = 'media.create' | 'media.update' | 'media.delete'

/** A file as the events carry it: the row without private fields, as the upload routes answer it. */
export interface MediaEvent {
  event: MediaEventName
  media: Record<string, unknown>
}

export type VellumEvent = MediaEvent
export type VellumEventName = VellumEvent['event']
export type EventListener = (event: VellumEvent) => void | Promise<void>

/**
 * Where writes announce what they changed (the hook points webhooks deliver from, issue 18). `emit` runs inside
 * the transaction of the write that causes the event and awaits each listener in turn: a listener's own writes
 * (an outbox row) commit or roll back with the change, and a listener that throws rolls the change back.
 */
export interface Events {
  /** Calls `listener` for every event of that name (`'*'`: every event); returns the function that stops it. */
  on: (name: VellumEventName | '*', listener: EventListener) => () => void
  emit: (event: VellumEvent) => Promise<void>
}

export function createEvents (log: Logger): Events {
  const listeners = new Map<string, Set<EventListener>>()
  return {
    on (name, listener) {
      let set = listeners.get(name)
      if (set === undefined) listeners.set(name, set = new Set())
      set.add(listener)
      return () => { set.delete(listener) }
    },
    async emit (event) {
      const named = listeners.get(event.event)
      const any = listeners.get('*')
      if (named === undefined && any === undefined) return
      log.debug({ event: event.event }, 'event')
      for (const listener of [...named ?? [], ...any ?? []]) await listener(event)
    }
  }
}
