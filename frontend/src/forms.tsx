// Form pieces every screen uses: a labelled field with its own error beside it, and the
// error of the whole action.

import { useId, type InputHTMLAttributes, type ReactNode } from "react";

import { ApiError, describe } from "./api/problems";

export interface FormProblem {
  message: string | null;
  fields: Record<string, string>;
}

export const NO_PROBLEM: FormProblem = { message: null, fields: {} };

/** A 422's field errors go beside their fields; everything else beside the action. */
export function formProblem(error: unknown, fieldNames: string[] = []): FormProblem {
  if (error instanceof ApiError && error.status === 422) {
    const fields: Record<string, string> = {};
    const unplaced: string[] = [];
    for (const [name, message] of Object.entries(error.fieldErrors)) {
      if (fieldNames.includes(name)) fields[name] = message;
      else unplaced.push(`${name}: ${message}`);
    }
    const placedAll = unplaced.length === 0 && Object.keys(fields).length > 0;
    return { message: placedAll ? "Please correct the fields marked above." : error.detail, fields };
  }
  return { message: describe(error), fields: {} };
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  error?: string;
};

export function Field({ label, name, error, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
      />
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function ActionError({ message, children }: { message: string | null; children?: ReactNode }) {
  if (!message) return null;
  return (
    <div className="action-error" role="alert">
      <p>{message}</p>
      {children}
    </div>
  );
}
