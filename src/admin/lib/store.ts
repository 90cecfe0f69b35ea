// A value that components can follow: `useStore(store)` re-renders on every `set`.
import { useEffect, useState } from "preact/hooks";

export interface Store<T> {
  readonly value: T;
  set(value: T): void;
  subscribe(fn: (value: T) => void): () => void;
}

export function store<T>(initial: T): Store<T> {
  let value = initial;
  const subscribers = new Set<(value: T) => void>();
  return {
    get value() {
      return value;
    },
    set(next) {
      value = next;
      for (const fn of subscribers) fn(value);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}

export function useStore<T>(s: Store<T>): T {
  const [value, setValue] = useState(s.value);
  useEffect(() => {
    setValue(s.value);
    return s.subscribe(setValue);
  }, [s]);
  return value;
}
