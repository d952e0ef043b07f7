/**
 * The sidecar writer takes exactly the names the rule in src/names/person-name.ts takes: a name
 * accepted where it entered is never refused here. Characters a keyword field cannot carry are
 * handled per field (keywords.ts), never by refusing the name.
 */
export { personNameProblem } from '../names/person-name.js';
