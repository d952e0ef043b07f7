/**
 * The labelling page's HTML and CSS, kept as strings so the main `tsc` build carries them into
 * dist/ (tsc copies no other files) and the daemon serves them from memory. No inline script or
 * style: the page's CSP allows only its own files. The script is src/web/client/app.mts.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>facetag · name faces</title>
<link rel="icon" href="/web/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/web/style.css">
<script type="module" src="/web/app.mjs"></script>
</head>
<body>
<header>
  <h1>facetag</h1>
  <nav><a href="#/unknown" data-view="unknown">Unknown faces</a><a href="#/suggestions" data-view="suggestions">Suggestions</a><a href="#/people" data-view="people">People</a><a href="#/photos" data-view="photos">Photos</a><a href="#/training" data-view="training">Training</a></nav>
  <button type="button" id="token-button" hidden>Token</button>
</header>
<section id="welcome" aria-labelledby="welcome-title" hidden>
  <h2 id="welcome-title">Welcome to facetag</h2>
  <p>To name faces from this browser, paste facetag's access token once. This browser keeps it, so you are not asked again.</p>
  <p id="token-where">The token is in the file <code>http-token</code> in facetag's data folder.</p>
  <p>To print it, run this on the computer facetag runs on:</p>
  <pre id="token-command">facetag token</pre>
  <p class="hint">From a git checkout of facetag, type <code>bin/facetag</code> instead of <code>facetag</code>. As a service: <code>sudo -u facetag facetag token</code>.</p>
  <form id="token-form">
    <label for="token">Access token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste the token here">
    <button type="submit">Save</button>
    <button type="button" id="token-cancel" hidden>Cancel</button>
  </form>
</section>
<p id="status" role="status" aria-live="polite"></p>
<main>
<div id="view-label">
  <section id="unknown" aria-labelledby="unknown-title">
    <h2 id="unknown-title">Unknown faces</h2>
    <p class="hint" id="unknown-hint"></p>
    <div id="groups"></div>
  </section>
  <section id="suggestions" aria-labelledby="suggestions-title">
    <h2 id="suggestions-title">Suggestions</h2>
    <p class="hint">Who facetag thinks these are, surest first. “Sure” ones are already written to your photos’ tags; check the others. Confirm or reject each; a rejected suggestion does not come back.</p>
    <div id="persons"></div>
  </section>
  <form id="actions" class="action-bar" aria-label="Selected faces">
    <span id="selected-count">0 selected</span>
    <input id="name" list="person-names" autocomplete="off" placeholder="Name" aria-label="Name for the selected faces">
    <button type="submit" id="name-button">Name</button>
    <button type="button" id="ignore-button" title="A stranger's face: never named or asked about again">Ignore</button>
    <button type="button" id="not-face-button">Not a face</button>
    <button type="button" id="deselect-button">Deselect</button>
  </form>
</div>
<div id="view-other" hidden></div>
</main>
<datalist id="person-names"></datalist>
</body>
</html>
`;

/** The tab icon (also answers /favicon.ico, which browsers ask for without reading the page). */
export const PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#1f5fbf"/>
<circle cx="16" cy="13" r="6" fill="#fff"/>
<path d="M6 28c1.5-6 5.5-9 10-9s8.5 3 10 9z" fill="#fff"/>
</svg>
`;

export const PAGE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { font-family: system-ui, sans-serif; color: #1d232a; background: #f5f6f8; }
body { margin: 0; padding-bottom: 7rem; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; padding: 0.75rem 1rem;
  background: #fff; border-bottom: 1px solid #d9dde3; }
h1 { font-size: 1.25rem; margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: 0 1rem; }
nav a { color: #1f5fbf; padding: 0.5rem 0; }
nav a[aria-current] { font-weight: 600; color: #1d232a; }
a { color: #1f5fbf; }
input, button { font: inherit; min-height: 44px; border-radius: 6px; }
input { border: 1px solid #aab2bd; padding: 0 0.6rem; min-width: 0; }
button { border: 1px solid #8a95a3; background: #fff; padding: 0 0.9rem; cursor: pointer; }
button:hover { background: #eef2f7; }
button:disabled { opacity: 0.5; cursor: default; }
#status { margin: 0.5rem 1rem; min-height: 1.5em; }
#status.error { color: #b3261e; }
main { padding: 0 1rem; max-width: 90rem; margin: 0 auto; }
h2 { margin: 1.25rem 0 0.25rem; }
.hint { margin: 0 0 0.75rem; color: #55606e; }
.galleries > ul { padding-left: 1.25rem; }
.galleries li { margin-bottom: 0.5rem; }
.galleries .parked code { overflow-wrap: anywhere; }
.group, .person { background: #fff; border: 1px solid #d9dde3; border-radius: 8px; padding: 0.75rem;
  margin-bottom: 0.75rem; }
.group-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem;
  margin-bottom: 0.5rem; }
h3 { margin: 0; font-size: 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 0.5rem; }
.face { padding: 0; border: 3px solid transparent; background: #e6e9ee; aspect-ratio: 1; overflow: hidden;
  min-height: 0; width: 100%; }
.face img, .suggestion img { display: block; width: 100%; height: 100%; object-fit: cover; }
.face[aria-pressed="true"] { border-color: #1f5fbf; outline: 3px solid #9cc0f5; }
.suggestion { display: flex; flex-direction: column; gap: 0.25rem; }
.suggestion .chip { aspect-ratio: 1; overflow: hidden; border-radius: 6px; background: #e6e9ee; }
.suggestion .buttons { display: grid; grid-template-columns: 1fr 1fr; gap: 0.25rem; }
.suggestion button { padding: 0; }
.confirm { color: #17692c; }
.reject { color: #b3261e; }
.value { font-size: 0.8rem; color: #55606e; text-align: center; }
.empty { color: #55606e; font-style: italic; }
.action-bar { position: fixed; left: 0; right: 0; bottom: 0; display: flex; flex-wrap: wrap; align-items: center;
  gap: 0.5rem; padding: 0.6rem 1rem; background: #fff; border-top: 1px solid #aab2bd;
  box-shadow: 0 -2px 8px rgb(0 0 0 / 0.08); }
.action-bar input { flex: 1 1 10rem; }
#selected-count { min-width: 6.5rem; }
.name-cluster { display: flex; gap: 0.25rem; }
.name-cluster input { width: 9rem; }
.face-card .uncluster { font-size: 0.75rem; padding: 0 0.25rem; }
.face-card { display: flex; flex-direction: column; gap: 0.15rem; min-width: 0; }
.in-photo { font-size: 0.8rem; text-align: center; }
.person-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem 1.5rem; margin-bottom: 0.75rem; }
.inline-form { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.inline-form label { display: flex; align-items: center; gap: 0.5rem; }
select { font: inherit; min-height: 44px; border-radius: 6px; border: 1px solid #aab2bd; background: #fff; max-width: 100%; }
.split-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-bottom: 0.75rem; }
.split-bar input { flex: 0 1 12rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table.people { border-collapse: collapse; background: #fff; width: 100%; max-width: 50rem; }
table.people th, table.people td { text-align: left; padding: 0.6rem 0.75rem; border-bottom: 1px solid #d9dde3; }
.photo-list { list-style: none; padding: 0; margin: 0 0 1rem; background: #fff; border: 1px solid #d9dde3;
  border-radius: 8px; }
.photo-list li { display: flex; justify-content: space-between; gap: 1rem; padding: 0.6rem 0.75rem;
  border-bottom: 1px solid #eceef1; overflow-wrap: anywhere; }
.photo-list .count { color: #55606e; white-space: nowrap; }
.stage { position: relative; width: 100%; max-width: 60rem; background: #e6e9ee; touch-action: none;
  user-select: none; overflow: hidden; }
.stage img { display: block; width: 100%; height: 100%; pointer-events: none; }
.stage.drawing { cursor: crosshair; outline: 3px dashed #1f5fbf; }
.box { position: absolute; border: 2px solid #e0463c; transform-origin: center; }
.box.confirmed { border-color: #2e9e4f; }
.box.auto { border-color: #f0b400; }
.box.ignored { border-color: #8a939e; }
.box.draft { border: 2px dashed #1f5fbf; background: rgb(31 95 191 / 0.12); }
.box-label { position: absolute; margin-top: 2px; background: rgb(0 0 0 / 0.7); color: #fff; font-size: 0.75rem;
  padding: 0 0.3rem; white-space: nowrap; pointer-events: none; }
#token-button { margin-left: auto; }
#welcome { margin: 1rem; padding: 1rem 1.25rem; max-width: 44rem; background: #fff; border: 1px solid #d9dde3;
  border-radius: 8px; }
#welcome h2 { margin-top: 0; }
#welcome pre { background: #f0f2f5; padding: 0.5rem 0.75rem; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; }
#welcome code { overflow-wrap: anywhere; }
#token-form { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
#token-form input { flex: 1 1 14rem; }
.keys { color: #55606e; font-size: 0.85rem; }
kbd { font: inherit; font-size: 0.8rem; border: 1px solid #aab2bd; border-bottom-width: 2px; border-radius: 4px;
  padding: 0 0.3rem; background: #fff; }
.sure { font-size: 0.8rem; text-align: center; color: #17692c; }
.sure.not { color: #8a5a00; }
.stage .box { pointer-events: auto; cursor: pointer; background: transparent; padding: 0; min-height: 0;
  border-radius: 2px; }
.stage.drawing .box { pointer-events: none; }
.box.highlight { border-width: 3px; outline: 3px solid #fff; box-shadow: 0 0 0 6px #1f5fbf; z-index: 1; }
.face-panel { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; margin: 0.75rem 0;
  padding: 0.75rem; background: #fff; border: 1px solid #d9dde3; border-radius: 8px; max-width: 60rem; }
.face-panel .panel-chip { width: 72px; height: 72px; border-radius: 6px; overflow: hidden; background: #e6e9ee; }
.face-panel .panel-chip img { width: 100%; height: 100%; object-fit: cover; display: block; }
.face-panel .panel-state { flex: 1 1 12rem; }
.face-panel .panel-buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.face-panel form { display: flex; gap: 0.4rem; flex: 1 1 16rem; }
.face-panel form input { flex: 1 1 8rem; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin-bottom: 0.75rem; }
.month { margin: 1rem 0 0.5rem; font-size: 1.05rem; }
.thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 0.5rem; }
.thumb { display: flex; flex-direction: column; background: #fff; border: 1px solid #d9dde3; border-radius: 6px;
  overflow: hidden; text-decoration: none; color: inherit; }
.thumb .pic { aspect-ratio: 4 / 3; background: #e6e9ee; overflow: hidden; }
.thumb .pic img { width: 100%; height: 100%; object-fit: cover; display: block; }
.thumb .caption { padding: 0.25rem 0.4rem; font-size: 0.8rem; color: #55606e; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
progress { width: 12rem; max-width: 100%; height: 1rem; }
@media (max-width: 480px) {
  .grid { grid-template-columns: repeat(auto-fill, minmax(80px, 1fr)); }
  .thumbs { grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); }
  .action-bar button { flex: 1 1 auto; }
}
`;
