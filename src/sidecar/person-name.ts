/**
 * Why a person's name cannot go into a sidecar as it is, or undefined when it can.
 *
 * The spec (gotcha 6) lists the characters that break galleries: `/` is digiKam's TagsList
 * separator (digiKam also turns it into `\` in face names), `|` is lr:hierarchicalSubject's, and
 * `,` splits lists in exiftool's command-line output. Control characters cannot be stored in XML.
 */
export function personNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name is empty';
  if (name !== name.trim()) return 'the name has leading or trailing spaces';
  if (name.length > 200) return 'the name is longer than 200 characters';
  const bad = /[/|,]/.exec(name);
  if (bad) return `the name contains "${bad[0]}", a keyword separator in gallery software`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject.
  if (/[\u0000-\u001f\u007f\ufffe\uffff]/.test(name)) return 'the name contains a control character';
  return undefined;
}
