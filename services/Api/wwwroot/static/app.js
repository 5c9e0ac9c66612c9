// Progressive enhancement only: every page works without this file. With it, upvote buttons vote
// in place through the API (the same antiforgery token, sent as a header), and "More papers"
// appends the next page instead of opening it.
"use strict";

const status = text => { const s = document.getElementById("status"); if (s) { s.textContent = text; setTimeout(() => { s.textContent = ""; }, 4000); } };

document.addEventListener("submit", async event => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote")) return;
  event.preventDefault();
  const id = form.elements.namedItem("id").value;
  const undo = form.elements.namedItem("undo");
  const token = form.elements.namedItem("__RequestVerificationToken").value;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(`/api/papers/${encodeURIComponent(id)}/upvote`, {
      method: undo ? "DELETE" : "POST", headers: { "X-CSRF-TOKEN": token }, credentials: "same-origin" });
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) { status(body?.detail || body?.title || "Your vote could not count."); return; }
    // Every copy of the paper on the page (a list and its similar papers) shows the new count.
    for (const other of document.querySelectorAll("form.vote")) {
      if (other.elements.namedItem("id").value !== id) continue;
      other.querySelector(".count").textContent = body.upvotes;
      other.querySelector("button").setAttribute("aria-pressed", String(body.voted));
      const hidden = other.querySelector("button .visually-hidden");
      if (hidden) hidden.textContent = body.voted ? "Upvoted; take back, " : "Upvote, ";
      const flag = other.elements.namedItem("undo");
      if (body.voted && !flag) other.insertAdjacentHTML("afterbegin", '<input type="hidden" name="undo" value="1">');
      if (!body.voted && flag) flag.remove();
    }
  } catch {
    status("Your vote could not be sent; check your connection.");
  } finally {
    button.disabled = false;
  }
});

document.addEventListener("click", async event => {
  const more = event.target instanceof Element ? event.target.closest("a.more") : null;
  if (!more) return;
  const list = document.querySelector("main .cards:last-of-type") ?? document.querySelector("main .cards");
  if (!list) return;
  event.preventDefault();
  try {
    const response = await fetch(more.href, { credentials: "same-origin" });
    if (!response.ok) { location.href = more.href; return; }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const cards = [...page.querySelectorAll("main .cards:last-of-type > article")];
    const first = cards[0];
    for (const card of cards) list.append(document.importNode(card, true));
    const next = page.querySelector("a.more");
    if (next) more.href = next.href; else more.remove();
    // Keyboard users land on the first new paper.
    const link = first && document.getElementById(first.id)?.querySelector("h2 a, h3 a");
    link?.focus();
  } catch {
    location.href = more.href;
  }
});
