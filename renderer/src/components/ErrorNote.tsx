// A failed call, in words, next to the action that failed: "Refused: … message". Announced as an alert.
import { errorLead } from '../logic/errors.js';
import type { CallError } from '../logic/wizard.js';

export function ErrorNote({ error, what }: { error?: CallError; what?: string }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      <span aria-hidden="true">✕ </span>
      <strong>
        {what ? `${what}: ` : ''}
        {errorLead(error.code)}.
      </strong>{' '}
      {error.message}
    </p>
  );
}
