/** The only way the domain learns the time: hosts pass the system clock, tests a fixed one. */
export interface Clock {
  now(): Date;
}

export function fixedClock(
  at: Date,
): Clock & { set(at: Date): void; advance(seconds: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set(next) {
      current = new Date(next);
    },
    advance(seconds) {
      current = new Date(current.getTime() + seconds * 1000);
    },
  };
}
