import { Component, inject } from '@angular/core';
import { ConfirmDialog } from './confirm-dialog.service';

/** The question the server asked (`ui.confirm`), with the person's two answers. */
@Component({
  selector: 'shop-confirm-dialog',
  template: `
    @if (dialog.question(); as question) {
      <div class="backdrop">
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-text">
          <p id="confirm-text">{{ question.text }}</p>
          <button id="confirm-yes" type="button" (click)="question.answer(true)">Yes</button>
          <button id="confirm-no" type="button" (click)="question.answer(false)">No</button>
        </div>
      </div>
    }
  `,
  styles: `
    .backdrop {
      position: fixed;
      inset: 0;
      display: grid;
      place-items: center;
      background: rgb(20 24 33 / 35%);
    }
    .dialog {
      background: white;
      padding: 20px 24px;
      border-radius: 10px;
      box-shadow: 0 8px 30px rgb(0 0 0 / 25%);
    }
    button {
      margin-right: 8px;
    }
  `,
})
export class ConfirmDialogView {
  readonly dialog = inject(ConfirmDialog);
}
