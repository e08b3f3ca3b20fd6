/**
 * Something wrong with what the user entered, found before anything is signed or sent: its
 * message is already a sentence in the reader's language, so it is shown as it is — never taken
 * for a failure of the system (which in Chinese reads as "try again later, or call support").
 */
export class FormProblem extends Error {
  override name = "FormProblem";
}
