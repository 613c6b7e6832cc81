import type { WebSocket } from 'ws';

/** The longest a slot lasts when the slots are few enough: a 30 s interval turns in 120 slots. */
const maxSlotMs = 250;
/** The most slots a wheel has: a long interval gets longer slots, not more of them. */
const maxSlots = 128;

/**
 * Pings the sockets given the same interval and timeout, on one timer for all of them: each
 * socket has a slot of the wheel, and a turn of the wheel is one interval. A socket costs a
 * place in a Set, not timers and closures of its own (a server holds many thousands), and
 * the pings of a busy server are spread over the interval instead of bunched.
 */
export class PingWheel {
  private readonly slots: Set<WebSocket>[];
  /** The slot of each socket: a close finds it at once, and a socket added twice is in one slot. */
  private readonly slotOf = new Map<WebSocket, Set<WebSocket>>();
  /** The sockets pinged and not ponged yet, with the tick by which the pong must come. */
  private readonly waiting = new Map<WebSocket, number>();
  private readonly slotMs: number;
  private readonly timeoutTicks: number;
  private tick = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  // One listener of each kind for every socket of the wheel: `this` is the socket.
  private readonly onPong: (this: WebSocket) => void;
  private readonly onClose: (this: WebSocket) => void;

  constructor(
    interval: number,
    timeout: number,
    private readonly onEmpty: () => void,
  ) {
    this.slotMs = Math.max(interval / maxSlots, Math.min(interval / 8, maxSlotMs));
    this.slots = Array.from({ length: Math.max(1, Math.round(interval / this.slotMs)) }, () => new Set<WebSocket>());
    this.timeoutTicks = Math.max(1, Math.ceil(timeout / this.slotMs));
    const waiting = this.waiting;
    this.onPong = function () {
      waiting.delete(this);
    };
    const remove = (socket: WebSocket) => this.remove(socket);
    this.onClose = function () {
      remove(this);
    };
  }

  /** Pings `socket` about one interval from now, and every interval after, until it closes. */
  add(socket: WebSocket): void {
    if (this.slotOf.has(socket)) return;
    // The slot that has just passed comes round again one interval from now.
    const slot = this.slots[this.tick % this.slots.length] ?? new Set<WebSocket>();
    slot.add(socket);
    this.slotOf.set(socket, slot);
    socket.on('pong', this.onPong);
    // on(), not once(): a socket closes once, and once() wraps the listener (about 110 B a socket).
    socket.on('close', this.onClose);
    this.timer ??= setInterval(() => this.turn(), this.slotMs);
  }

  private remove(socket: WebSocket): void {
    socket.off('pong', this.onPong);
    this.waiting.delete(socket);
    this.slotOf.get(socket)?.delete(socket);
    this.slotOf.delete(socket);
    if (this.slotOf.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.onEmpty();
  }

  private turn(): void {
    const tick = ++this.tick;
    for (const [socket, by] of this.waiting) if (by <= tick) socket.terminate();
    for (const socket of this.slots[tick % this.slots.length] ?? []) {
      if (this.waiting.has(socket)) continue;
      this.waiting.set(socket, tick + this.timeoutTicks);
      socket.ping();
    }
  }
}
