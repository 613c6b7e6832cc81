// Components as an app writes them, for the specs of both change detection modes.
import { AsyncPipe } from '@angular/common';
import { Component, DestroyRef, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, map, of, retry, scan, Subject, switchMap } from 'rxjs';
import { injectJsonRpc } from 'rx-jsonrpc/angular';

/** A call's result and live notifications, bound with the `async` pipe. */
@Component({
  selector: 'spec-async-pipe',
  imports: [AsyncPipe],
  template: `<p>sum: {{ sum$ | async }}</p>
    <ul>
      @for (item of news$ | async; track $index) {
        <li>{{ item }}</li>
      }
    </ul>`,
})
export class AsyncPipeView {
  private readonly rpc = injectJsonRpc();
  readonly sum$ = this.rpc.request$<number>('math.sum', [19, 23]);
  readonly news$ = this.rpc
    .notifications$<[string]>('news')
    .pipe(scan((all, [item]) => [...all, item], [] as string[]));
}

/** The same with signals: `toSignal` over request$, state$ and notifications$; a click calls again. */
@Component({
  selector: 'spec-signals',
  template: `<p>state: {{ state().status }}</p>
    <p>sum: {{ sum() ?? '…' }}</p>
    <p>latest: {{ latest()?.[0] ?? 'none' }}</p>
    <button (click)="add(1)">+1</button>`,
})
export class SignalsView {
  private readonly rpc = injectJsonRpc();
  private readonly operand = signal(0);
  private readonly clicks = new Subject<number>();
  readonly state = toSignal(this.rpc.state$, { requireSync: true });
  readonly latest = toSignal(this.rpc.notifications$<[string]>('news'));
  // switchMap: a new click drops the call still waiting, as a cold request$ allows.
  readonly sum = toSignal(this.clicks.pipe(switchMap((n) => this.rpc.request$<number>('math.sum', [n, 100]))));

  add(step: number): void {
    this.operand.update((n) => n + step);
    this.clicks.next(this.operand());
  }
}

/** Error handling and retry in a component: the view shows the answer or the failure. */
@Component({
  selector: 'spec-retry',
  imports: [AsyncPipe],
  template: `<p>{{ result$ | async }}</p>`,
})
export class RetryView {
  private readonly rpc = injectJsonRpc();
  readonly result$ = this.rpc.request$<string>('flaky').pipe(
    retry(2),
    map((value) => `ok: ${value}`),
    catchError((error: Error) => of(`failed: ${error.message}`)),
  );
}

/** Answers the server's `ui.confirm` calls while it is on screen. */
@Component({
  selector: 'spec-confirm',
  template: `<p>asked: {{ asked() }}</p>`,
})
export class ConfirmView {
  readonly asked = signal('nothing');

  constructor() {
    const registration = injectJsonRpc().handle('ui.confirm', ([text]: [string]) => {
      this.asked.set(text);
      return text.endsWith('?');
    });
    inject(DestroyRef).onDestroy(() => registration.unsubscribe());
  }
}
