/**
 * The validation message of a field that takes a whole number from `min` to `max` (the contract's
 * limits), or undefined when `text` is one.
 * @example wholeNumberError("0", 1, 720, "hours") // "Enter a whole number of hours from 1 to 720."
 */
export function wholeNumberError(text: string, min: number, max: number, unit: string): string | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return undefined;
  return `Enter a whole number of ${unit} from ${min} to ${max.toLocaleString("en-US")}.`;
}
