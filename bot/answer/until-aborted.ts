/** Reading an async iterable only until a signal aborts, even if its source does not listen to the signal. */

/** Yields what `source` yields until it ends or `signal` aborts; then lets the source go (not awaited). */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  if (signal.aborted) return;
  const it = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next.done) {
        finished = !signal.aborted;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // a pending next() is abandoned; the source's own signal handling ends it
    if (!finished) void Promise.resolve(it.return?.()).catch(() => {});
  }
}
