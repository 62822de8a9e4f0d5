// The runCallback queue's ring: order across wrap-around and growth.
import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/fifo.js';

describe('Fifo', () => {
  it('keeps first-in first-out order while wrapping around and growing', () => {
    const fifo = new Fifo<number>(4);
    const seen: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps before each growth.
    for (let round = 1; round <= 6; round++) {
      for (let i = 0; i < round * 3; i++) fifo.push(next++);
      for (let i = 0; i < round * 2; i++) seen.push(fifo.shift()!);
    }
    while (fifo.size > 0) seen.push(fifo.shift()!);
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
  });

  it('drainAll() returns the items oldest first and clear() forgets them', () => {
    const fifo = new Fifo<string>(2);
    for (const s of ['a', 'b', 'c']) fifo.push(s);
    fifo.shift();
    fifo.push('d');
    expect(fifo.drainAll()).toEqual(['b', 'c', 'd']);
    expect(fifo.size).toBe(0);
    fifo.push('e');
    fifo.clear();
    expect(fifo.size).toBe(0);
    fifo.push('f');
    expect(fifo.shift()).toBe('f');
  });
});
