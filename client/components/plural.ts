/**
 * A count and its noun, the count in the reader's number format.
 * @example plural(1, "user") // "1 user"; plural(1200, "alias", "aliases") // "1,200 aliases"
 */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;
