/**
 * A first-in first-out queue on a circular array whose capacity, a power of
 * two, only grows. A chain of callbacks that each queue the next one reuses
 * the same few slots, where a plain array with a moving head would grow by a
 * slot per callback and be reallocated, in V8's large-object space, pass
 * after pass.
 */
export class Fifo<T> {
  #slots: Array<T | undefined>;
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(capacity = 16) {
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#slots[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** Empties the queue, returning what it held, oldest first. */
  drainAll(): T[] {
    const items: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }

  /** Forgets every item. */
  clear(): void {
    while (this.#size > 0) this.shift();
    this.#head = 0;
  }

  #grow(): void {
    const old = this.#slots;
    const capacity = old.length * 2;
    const slots = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.#size; i++) slots[i] = old[(this.#head + i) & this.#mask];
    this.#slots = slots;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
