/** Scores of the identity evaluation, the reference's definitions. Pure. */

export interface IdentityPrediction {
  readonly file: string;
  readonly person: string;
  /** The person, or `unknown` when the person was not trained. */
  readonly expected: string;
  readonly predicted: string;
}

export interface IdentityScores {
  /** Share of test faces of trained people named correctly. */
  readonly accuracy: number | null;
  readonly knownCalledUnknown: number | null;
  readonly knownCalledWrongName: number | null;
  /** Share of faces of people absent from training that came out `unknown`. */
  readonly unknownRejection: number | null;
  readonly perPerson: Record<
    string,
    { tests: number; predicted: number; precision: number | null; recall: number | null }
  >;
  readonly confusion: Record<string, Record<string, number>>;
}

const share = (part: number, whole: number): number | null => (whole ? part / whole : null);

export function scoreIdentity(
  preds: readonly IdentityPrediction[],
  trained: readonly string[],
  unknown = 'unknown',
): IdentityScores {
  const known = preds.filter((p) => p.expected !== unknown);
  const absent = preds.filter((p) => p.expected === unknown);
  const perPerson: IdentityScores['perPerson'] = {};
  for (const name of trained) {
    const tp = preds.filter((p) => p.predicted === name && p.expected === name).length;
    const predicted = preds.filter((p) => p.predicted === name).length;
    const tests = preds.filter((p) => p.expected === name).length;
    perPerson[name] = { tests, predicted, precision: share(tp, predicted), recall: share(tp, tests) };
  }
  const confusion: Record<string, Record<string, number>> = {};
  for (const p of preds) {
    const row = confusion[p.person] ?? {};
    row[p.predicted] = (row[p.predicted] ?? 0) + 1;
    confusion[p.person] = row;
  }
  return {
    accuracy: share(known.filter((p) => p.predicted === p.expected).length, known.length),
    knownCalledUnknown: share(known.filter((p) => p.predicted === unknown).length, known.length),
    knownCalledWrongName: share(
      known.filter((p) => p.predicted !== unknown && p.predicted !== p.expected).length,
      known.length,
    ),
    unknownRejection: share(absent.filter((p) => p.predicted === unknown).length, absent.length),
    perPerson,
    confusion,
  };
}
