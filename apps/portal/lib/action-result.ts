// What a server action hands back to its form: a success note, an error, and errors per form field.
export interface ActionResult {
  ok?: string;
  error?: string;
  fields?: Record<string, string>;
  /** Anything else the form shows once (a new token, revealed values). */
  data?: Record<string, string>;
  /** The value the success note is about ("Scaled to 3": "3"): the note goes once the page shows another. */
  about?: string;
  /** What was typed in the form, given back on an error so nothing has to be typed again (never passwords). */
  values?: Record<string, string>;
}
