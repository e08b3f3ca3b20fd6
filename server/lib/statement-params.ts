/**
 * The values of one SQL statement that several repositories write parts of (a receipt's whole
 * write is one statement of data-modifying CTEs: receipts.service.ts). Each part takes its
 * placeholders from here, so no part needs to know how many values the others took.
 *
 * The placeholders depend only on the order and number of the parts' values, never on the
 * values themselves: a statement of the same parts has the same text every time, so it can be
 * prepared once (Db's `prepared`).
 */
export class StatementParams {
  readonly values: unknown[] = [];

  /** The placeholder (`$n`) of a new value. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
