import { Injectable, signal } from '@angular/core';

/** A question on screen, waiting for the person's answer. */
export interface Question {
  readonly text: string;
  answer(yes: boolean): void;
}

/** Asks the person a yes/no question in the page; the server's `ui.confirm` calls come here. */
@Injectable({ providedIn: 'root' })
export class ConfirmDialog {
  private readonly current = signal<Question | undefined>(undefined);
  /** The question on screen, if any. */
  readonly question = this.current.asReadonly();

  /** Shows `text` and resolves with the answer. A new question answers the one on screen "no". */
  ask(text: string): Promise<boolean> {
    this.current()?.answer(false);
    return new Promise((resolve) => {
      const question: Question = {
        text,
        answer: (yes) => {
          if (this.current() === question) this.current.set(undefined);
          resolve(yes);
        },
      };
      this.current.set(question);
    });
  }
}
