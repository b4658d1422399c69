// What a server action hands back to its form: a success note, an error, and errors per form field.
export interface ActionResult {
  ok?: string;
  error?: string;
  fields?: Record<string, string>;
  /** Anything else the form shows once (a new token, revealed values). */
  data?: Record<string, string>;
}
