/**
 * Checked access to list items for tests. With `noUncheckedIndexedAccess` on, `rows[0]` is `Row | undefined`;
 * these return the item itself, and a missing item fails the test with an assertion error that says what was
 * missing, instead of a TypeError further down.
 */
import assert from 'node:assert/strict';

/** Item `i` of `list` (`what` names the list in the failure message). */
export function at<T>(list: ArrayLike<T>, i: number, what: string): T {
  const item = list[i];
  if (item === undefined) assert.fail(`${what}: no item ${i} (the list has ${list.length})`);
  return item;
}

/** The first item of `list`. */
export function first<T>(list: ArrayLike<T>, what: string): T {
  return at(list, 0, what);
}

/** The last item of `list`. */
export function last<T>(list: ArrayLike<T>, what: string): T {
  return at(list, list.length - 1, what);
}

/** A tuple type of `N` items, for destructuring what `take` returns. */
export type Tuple<T, N extends number, R extends readonly T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<T, N, [...R, T]>;

/** The first `n` items of `list`, which must have at least `n`: `const [a, b] = take(faces, 2, 'faces')`. */
export function take<T, N extends number>(list: ArrayLike<T>, n: N, what: string): Tuple<T, N> {
  assert.ok(list.length >= n, `${what}: wanted at least ${n} items, the list has ${list.length}`);
  return Array.from({ length: n }, (_, i) => at(list, i, what)) as Tuple<T, N>;
}
