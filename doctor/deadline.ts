/** A promise that settles by a deadline, however long the work behind it takes. */

/** `work`'s result, or `late()`'s once `ms` have passed (the work is left to finish on its own). */
export async function byDeadline<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
