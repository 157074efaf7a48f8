/**
 * Whether the agent is busy, as `GET /ping` reports it: HealthyBusy while any invocation runs, else
 * Healthy, with the time (unix seconds) of the last change; the time changes only when the status does.
 */

export type PingStatus = 'Healthy' | 'HealthyBusy';

export interface PingBody {
  readonly status: PingStatus;
  readonly time_of_last_update: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class BusyState {
  private running = 0;
  private status: PingStatus = 'Healthy';
  private changedAt = nowSeconds();
  private readonly listeners: ((busy: boolean) => void)[] = [];

  /** Invocations running now. */
  get active(): number {
    return this.running;
  }

  /** An invocation starts. */
  enter(): void {
    this.update(+1);
  }

  /** An invocation ends. */
  leave(): void {
    this.update(-1);
  }

  /** Called with true when the first invocation starts and false when the last one ends. */
  onChange(listener: (busy: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** The body of `GET /ping`. */
  ping(): PingBody {
    return { status: this.status, time_of_last_update: this.changedAt };
  }

  private update(delta: number): void {
    const was = this.running > 0;
    this.running += delta;
    const is = this.running > 0;
    if (was === is) return;
    this.status = is ? 'HealthyBusy' : 'Healthy';
    this.changedAt = nowSeconds();
    for (const l of this.listeners) l(is);
  }
}
