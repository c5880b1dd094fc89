// The chat page: streams answers from POST /chat/stream and shows each citation's quote.
// Everything that comes from articles or answers is put on the page as text (textContent or
// text nodes), never as HTML, so an article containing markup cannot run anything.
"use strict";

const $ = (id) => document.getElementById(id);
const MARKER = /\[(\d+)\]/g;

const state = {
  conversationId: null,
  apiKey: sessionStorage.getItem("newsdesk-api-key") || "",
  busy: false,
};

function headers() {
  const h = { "Content-Type": "application/json", Accept: "text/event-stream" };
  if (state.apiKey) h.Authorization = `Bearer ${state.apiKey}`;
  return h;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function formatDate(iso) {
  if (!iso) return "undated";
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function citeButton(turn, n) {
  const button = el("button", "cite", String(n));
  button.type = "button";
  button.dataset.n = String(n);
  button.setAttribute("aria-label", `Source ${n}`);
  button.addEventListener("click", () => showSource(turn, n, button));
  return button;
}

// Answer text with [n] markers becomes text nodes and citation buttons.
function renderAnswerText(container, text, turn) {
  container.replaceChildren();
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    container.append(document.createTextNode(text.slice(last, match.index)));
    container.append(citeButton(turn, Number(match[1])));
    last = match.index + match[0].length;
  }
  container.append(document.createTextNode(text.slice(last)));
}

// A text (never parsed for markers) followed by its citation buttons.
function appendCited(container, text, citations, turn) {
  container.append(document.createTextNode(text));
  for (const n of citations || []) container.append(citeButton(turn, n));
}

// What the stream sends for a sentence: its text, then " [n]" per citation.
function markedText(sentence) {
  return sentence.text + (sentence.citations || []).map((n) => ` [${n}]`).join("");
}

// "No: the articles say the opposite." next to a "No" badge reads "The articles say the opposite."
function withoutLabel(text, label) {
  const lead = new RegExp(`^${label}\\s*[:.,]\\s*`);
  if (!lead.test(text)) return text;
  const rest = text.replace(lead, "");
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

const VERDICT_LABELS = { yes: "Yes", no: "No", unsettled: "Not settled" };
const STATUS_LABELS = { supported: "Supported", contradicted: "Contradicted", unsettled: "Not settled" };

// The direct answer above the quotes: the span, verdict or "not said", then the claims checked.
function renderDirect(turn, direct) {
  turn.directBox?.remove();
  turn.direct = direct;
  const box = el("div", "direct-answer");
  box.dataset.form = direct.form;
  const head = el("p", "direct-text");
  let text = direct.text;
  if (direct.form === "verdict" && direct.verdict) {
    box.dataset.verdict = direct.verdict;
    const label = VERDICT_LABELS[direct.verdict] || direct.verdict;
    head.append(el("span", "verdict-badge", label), " ");
    text = withoutLabel(text, label);
  }
  appendCited(head, text, direct.citations, turn);
  box.append(head);
  if (direct.claims && direct.claims.length) {
    const list = el("ul", "claims");
    list.setAttribute("aria-label", "Claims checked");
    for (const claim of direct.claims) {
      const item = el("li", "claim");
      item.dataset.status = claim.status;
      item.append(el("span", "claim-status", STATUS_LABELS[claim.status] || claim.status));
      const body = el("span", "claim-body");
      body.append(el("span", "claim-text", claim.claim));
      if (claim.outlets && claim.outlets.length) {
        body.append(" ", el("span", "claim-outlets", `(${claim.outlets.join(", ")})`));
      }
      const reason = el("span", "claim-reason");
      appendCited(reason, claim.reason, claim.citations, turn);
      body.append(reason);
      item.append(body);
      list.append(item);
    }
    box.append(list);
  }
  turn.answerBox.insertBefore(box, turn.text);
  turn.directBox = box;
  turn.text.classList.add("quotes");
}

// While streaming, the quotes are what follows the direct answer's own text and markers.
function streamedQuotes(turn) {
  if (!turn.direct) return turn.raw;
  const prefix = markedText(turn.direct);
  if (prefix.startsWith(turn.raw)) return "";
  if (turn.raw.startsWith(prefix)) return turn.raw.slice(prefix.length).trimStart();
  return turn.raw;
}

// The passage with the quoted span wrapped in <mark>, by offsets when they fit, else by search.
function renderPassage(container, passageText, passageStart, citation) {
  container.replaceChildren();
  let from = citation.start - passageStart;
  let to = citation.end - passageStart;
  if (!(from >= 0 && to <= passageText.length && passageText.slice(from, to) === citation.quote)) {
    from = passageText.indexOf(citation.quote);
    to = from + citation.quote.length;
  }
  if (from < 0) {
    container.append(el("mark", "", citation.quote));
    return;
  }
  container.append(
    document.createTextNode(passageText.slice(0, from)),
    el("mark", "", passageText.slice(from, to)),
    document.createTextNode(passageText.slice(to)),
  );
}

function showSource(turn, n, button) {
  const citation = turn.citations.get(n);
  if (!citation) return;
  document.querySelectorAll(".cite.active").forEach((b) => b.classList.remove("active"));
  button.classList.add("active");
  $("source-marker").textContent = `[${n}]`;
  $("source-title").textContent = citation.title;
  const carried = (citation.also_carried_by || []).join(", ");
  $("source-meta").textContent = [
    citation.source,
    formatDate(citation.published),
    carried && `also carried by ${carried}`,
  ]
    .filter(Boolean)
    .join(" · ");
  const link = $("source-link");
  const href = citation.url ? safeUrl(citation.url) : null;
  link.parentElement.hidden = !href;
  if (href) link.href = href;
  else link.removeAttribute("href");
  const passage = turn.passages.get(citation.passage_id);
  renderPassage(
    $("source-passage"),
    passage ? passage.chunk.text : citation.quote,
    passage ? passage.chunk.start : citation.start,
    citation,
  );
  $("sources").hidden = false;
  // A short quote (a figure) may sit far down its passage: scroll the panel (only) to it.
  const panel = $("sources");
  panel.scrollTop = 0;
  const mark = $("source-passage").querySelector("mark");
  if (mark) {
    const below = mark.getBoundingClientRect().bottom - panel.getBoundingClientRect().bottom;
    if (below > 0) panel.scrollTop += below + panel.clientHeight / 3;
  }
}

function notice(turn, kind, message) {
  const box = el("p", `notice ${kind}`, message);
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  turn.answerBox.prepend(box);
}

function addTurn(question) {
  $("empty-hint")?.remove();
  const wrap = el("article", "turn");
  const answerBox = el("div", "answer streaming");
  const text = el("div", "answer-text");
  answerBox.append(text);
  wrap.append(el("div", "question", question), answerBox);
  $("conversation").append(wrap);
  wrap.scrollIntoView({ block: "end", behavior: "smooth" });
  return {
    wrap,
    answerBox,
    text,
    raw: "",
    direct: null,
    directBox: null,
    citations: new Map(),
    passages: new Map(),
    answer: null,
  };
}

function addFeedback(turn) {
  const bar = el("div", "actions");
  bar.append(el("span", "", "Was this useful?"));
  for (const [rating, label, text] of [
    ["up", "Helpful", "▲ Yes"],
    ["down", "Not helpful", "▼ No"],
  ]) {
    const button = el("button", `rate-${rating}`, text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => sendFeedback(turn, rating, bar));
    bar.append(button);
  }
  turn.answerBox.append(bar);
}

async function sendFeedback(turn, rating, bar) {
  const response = await fetch("/feedback", {
    method: "POST",
    headers: headers(),
    body: JSON.stringify({ answer_id: turn.answer.id, rating, channel: "web" }),
  });
  const status = bar.querySelector(".feedback-status") || el("span", "feedback-status");
  if (response.ok) {
    bar.querySelectorAll("button").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.classList.contains(`rate-${rating}`)));
    });
    status.textContent = "Thanks, noted.";
  } else {
    status.textContent = (await problemText(response)) || "Could not save the rating.";
  }
  bar.append(status);
}

async function problemText(response) {
  try {
    const body = await response.json();
    return [body.title, body.detail].filter(Boolean).join(": ");
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

function handleEvent(turn, name, data) {
  if (name === "passages") {
    for (const p of data.passages) turn.passages.set(p.chunk.id, p);
  } else if (name === "direct") {
    renderDirect(turn, data.direct);
  } else if (name === "delta") {
    turn.raw += data.text;
    renderAnswerText(turn.text, streamedQuotes(turn), turn);
  } else if (name === "citation") {
    turn.citations.set(data.citation.n, data.citation);
  } else if (name === "answer") {
    const answer = data.answer;
    turn.answer = answer;
    for (const c of answer.citations) turn.citations.set(c.n, c);
    for (const p of answer.passages) turn.passages.set(p.chunk.id, p);
    if (answer.status === "declined") {
      turn.directBox?.remove();
      turn.text.replaceChildren();
      notice(turn, "declined", answer.text);
    } else if (answer.direct) {
      renderDirect(turn, answer.direct);
      const quotes = answer.sentences.slice(1).map(markedText).join(" ");
      renderAnswerText(turn.text, quotes, turn);
    } else {
      turn.directBox?.remove();
      turn.text.classList.remove("quotes");
      renderAnswerText(turn.text, answer.text, turn);
    }
    if (answer.standalone_question) {
      turn.answerBox.prepend(el("p", "searched-as", `Searched as: ${answer.standalone_question}`));
    }
    turn.answerBox.dataset.status = answer.status;
    turn.answerBox.dataset.answerId = answer.id;
    addFeedback(turn);
  } else if (name === "error") {
    notice(turn, "error", `Something went wrong: ${data.title}${data.detail ? ` — ${data.detail}` : ""}`);
    turn.answerBox.dataset.status = "error";
  }
}

// Reads a text/event-stream body: blocks separated by a blank line, "event:" and "data:" lines.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split(/\r?\n\r?\n/);
    buffer = blocks.pop();
    for (const block of blocks) {
      let name = "message";
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length && name !== "heartbeat") onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

async function ask(question) {
  const turn = addTurn(question);
  const body = { question };
  if (state.conversationId) body.conversation_id = state.conversationId;
  const after = $("published-after").value;
  const before = $("published-before").value;
  if (after) body.published_after = after;
  if (before) body.published_before = before;
  try {
    const response = await fetch("/chat/stream", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      $("key-row").hidden = false;
      $("api-key").focus();
    }
    if (!response.ok) {
      notice(turn, "error", (await problemText(response)) || "The request failed.");
      turn.answerBox.dataset.status = "error";
      return;
    }
    state.conversationId = response.headers.get("X-Conversation-Id") || state.conversationId;
    await readEvents(response, (name, data) => handleEvent(turn, name, data));
    if (!turn.answer && turn.answerBox.dataset.status !== "error") {
      notice(turn, "error", "The answer stopped before it was complete. Please ask again.");
      turn.answerBox.dataset.status = "error";
    }
  } catch (err) {
    notice(turn, "error", `Could not reach newsdesk: ${err.message}`);
    turn.answerBox.dataset.status = "error";
  } finally {
    turn.answerBox.classList.remove("streaming");
  }
}

function init() {
  const form = $("ask-form");
  const input = $("question");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || state.busy) return;
    state.busy = true;
    $("ask-button").disabled = true;
    input.value = "";
    try {
      await ask(question);
    } finally {
      state.busy = false;
      $("ask-button").disabled = false;
      input.focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("api-key").addEventListener("change", (event) => {
    state.apiKey = event.target.value.trim();
    sessionStorage.setItem("newsdesk-api-key", state.apiKey);
  });
  $("close-sources").addEventListener("click", () => {
    $("sources").hidden = true;
  });
  $("new-chat").addEventListener("click", () => {
    state.conversationId = null;
    $("conversation").replaceChildren(el("p", "hint", "New conversation. Ask a question."));
    $("sources").hidden = true;
  });
  if (state.apiKey) $("api-key").value = state.apiKey;
}

init();
