/**
 * Best guesses for unknown faces, for the labelling page: the person whose model scores a face
 * highest, even though no model accepted it. Five examples per person make cautious models that
 * leave most faces unknown (README, "Teaching it"); grouping those faces by their best guess turns
 * them into "Maybe Ann?" groups a parent can confirm in one go. A face every model rejects firmly
 * (all decision values below the SVM margin, -1) gets no guess: it is grouped by likeness instead.
 */

/**
 * Decision value below which a guess is not computed: outside the SVM's margin on the negative
 * side. The daemon offers guesses only from `recognition.guessFloor`, null by default: no floor
 * made them right 90 % of the time on the dev data (config schema).
 */
export const GUESS_FLOOR = -1;

export interface Guess {
  readonly person: string;
  readonly value: number;
}

/** The highest-scoring person, if any model scores the face inside its margin. Pure. */
export function bestGuess(decisions: Readonly<Record<string, number>>, floor = GUESS_FLOOR): Guess | undefined {
  let best: Guess | undefined;
  for (const [person, value] of Object.entries(decisions)) {
    if (Number.isFinite(value) && value >= floor && (!best || value > best.value)) best = { person, value };
  }
  return best;
}

/** Indices grouped by guessed person, surest first within a group, biggest group first. Pure. */
export function groupByGuess(guesses: readonly (Guess | undefined)[]): { person: string; members: number[] }[] {
  const groups = new Map<string, number[]>();
  guesses.forEach((g, i) => {
    if (!g) return;
    const members = groups.get(g.person) ?? [];
    members.push(i);
    groups.set(g.person, members);
  });
  return [...groups.entries()]
    .map(([person, members]) => ({
      person,
      members: members.sort((a, b) => (guesses[b]?.value ?? 0) - (guesses[a]?.value ?? 0)),
    }))
    .sort((a, b) => b.members.length - a.members.length || a.person.localeCompare(b.person));
}
