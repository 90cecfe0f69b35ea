/**
 * In-process event bus. Core operations write events to the outbox (`_events`) inside their
 * transaction and publish them here only after commit, so a rolled-back write never reaches a
 * listener. This is the local "something committed" signal: it wakes the dispatcher
 * (dispatcher.ts), which delivers the stored events — with their numbers and previous state —
 * to the consumers (live subscriptions on every instance, and more to come).
 */
import { EventEmitter } from "node:events";

export type EventType = "record.create" | "record.update" | "record.delete" | "collection.create" | "collection.update" | "collection.delete";

export interface CairnEvent {
  seq?: number;
  type: EventType;
  accountId: string;
  collection: string;
  recordId: string | null;
  /** record after the change (before it, for deletes); collection definition for collection events */
  payload: Record<string, unknown>;
  /** for record.update: the record before the change (subscriptions use it to detect "left" events) */
  previous?: Record<string, unknown> | null;
  created: string;
}

export type EventListener = (event: CairnEvent) => void;

export class EventBus {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  /** Delivers an event to local listeners. */
  publish(event: CairnEvent): void {
    this.#emitter.emit("event", event);
  }
  subscribe(listener: EventListener): () => void {
    this.#emitter.on("event", listener);
    return () => this.#emitter.off("event", listener);
  }
}
