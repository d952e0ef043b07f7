/**
 * The token step: on a first visit the page asks for facetag's access token once, up front, says
 * exactly where it is and which command prints it, checks it before keeping it, and says plainly
 * when it is wrong. The token lives only in this browser's localStorage and in request headers:
 * never in a URL (so never in a server log or the browser history).
 */
import { type PageInfo, saveToken, tokenIsRight } from './api.mjs';
import { byId, failure, make, say } from './dom.mjs';

const welcome = () => byId('welcome', HTMLElement);
const input = () => byId('token', HTMLInputElement);

/** What happens once the step ends: saved (true) or cancelled (false). Set by each askForToken. */
let then: (saved: boolean) => void = () => undefined;

function where(info: PageInfo): (Node | string)[] {
  if (info.tokenFile !== null)
    return [
      'The token is in the file ',
      make('code', { textContent: info.tokenFile }),
      ' on the computer facetag runs on (only facetag’s own user can read it).',
    ];
  if (info.tokenCommands.length > 0)
    return [
      'The token is set in facetag’s config file (',
      make('code', { textContent: 'http.token' }),
      ') or in its FACETAG_TOKEN variable.',
    ];
  return [
    'The token is in the file ',
    make('code', { textContent: 'http-token' }),
    ' in facetag’s data folder (',
    make('code', { textContent: '/var/lib/facetag' }),
    ' when it runs as a service).',
  ];
}

export function askForToken(
  info: PageInfo,
  why: string | null,
  canCancel: boolean,
  done: (saved: boolean) => void,
): void {
  then = done;
  byId('token-where', HTMLParagraphElement).replaceChildren(...where(info));
  const commands = info.tokenCommands.length > 0 ? info.tokenCommands : ['facetag token'];
  byId('token-command', HTMLPreElement).textContent = commands.join('\n');
  byId('token-cancel', HTMLButtonElement).hidden = !canCancel;
  welcome().hidden = false;
  if (why) say(why, true);
  else say('');
  input().focus();
}

function finish(saved: boolean): void {
  welcome().hidden = true;
  input().value = '';
  byId('token-button', HTMLButtonElement).hidden = false;
  then(saved);
}

byId('token-form', HTMLFormElement).addEventListener('submit', (e) => {
  e.preventDefault();
  const value = input().value.trim();
  if (!value) {
    say('Paste the token first.', true);
    input().focus();
    return;
  }
  tokenIsRight(value)
    .then((right) => {
      if (!right) {
        say('That token is not right. Copy the whole line the command prints, and paste it here.', true);
        input().select();
        return;
      }
      saveToken(value);
      finish(true);
    })
    .catch(failure);
});
byId('token-cancel', HTMLButtonElement).addEventListener('click', () => finish(false));
