// for await (const revents of io): the Watcher base's iterate() on an Io.
import { afterEach, describe, expect, it } from 'vitest';
import { Loop, READ } from '@evkit/loop';
import { Io } from '@evkit/io';
import { useCleanDefaultLoop } from '@evkit/test-utils';
import { closeAllFds, receive, send, socketpair } from './helpers.js';

afterEach(() => closeAllFds());

describe('for await over an Io', () => {
  useCleanDefaultLoop();

  it('yields READ while data is there; the consumer reads, break stops the watcher', async () => {
    const [a, b] = socketpair();
    const io = new Io(Loop.default, a, 'r');
    const got: string[] = [];
    send(b, 'one');
    for await (const revents of io) {
      expect(revents).toBe(READ);
      got.push(receive(a));
      if (got.length === 3) break;
      send(b, got.length === 1 ? 'two' : 'three');
    }
    expect(got).toEqual(['one', 'two', 'three']);
    expect(io.active).toBe(false);
    io.close();
  });
});
