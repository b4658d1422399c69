// What a server action answered, beside the control that ran it: the error as an alert, success as a status.
// No hooks: usable from server and client components.
export function Outcome({ error, ok }: { error?: string; ok?: string }) {
  return (
    <>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      {ok && (
        <span className="badge ok" role="status">
          {ok}
        </span>
      )}
    </>
  );
}
