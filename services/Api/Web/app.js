const $ = s => document.querySelector(s);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
// The visitor cookie and the antiforgery token votes need; fetched once per page.
let session = null;
async function csrfHeaders() {
  if (!session) session = await api("/api/session");
  return { [session.headerName]: session.antiforgeryToken };
}
async function api(url, options) {
  const r = await fetch(url, options);
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
  if (!r.ok) throw new Error(body?.detail || Object.values(body?.errors || {}).flat().join(" ") || body?.title || r.statusText);
  return body;
}
function render(items, heading) {
  $("#day").textContent = heading;
  $("#papers").innerHTML = items.length ? items.map(i => {
    const p = i.paper;
    const tags = (p.tags || []).map(t => `<span class="tag" title="score ${t.score}">${esc(t.name)}</span>`).join("");
    const kws = (p.ai_keywords || []).map(k => `<span class="tag kw">${esc(k)}</span>`).join("");
    const why = i.matchedBy ? ` · matched by ${esc(i.matchedBy)}` : i.similarity != null ? ` · similarity ${i.similarity}` : "";
    return `<article data-id="${esc(p.id)}">
      <h2>${p.arxivUrl ? `<a href="${esc(p.arxivUrl)}">${esc(p.title)}</a>` : esc(p.title)}</h2>
      <div class="meta">${[p.authors.map(a => a.name).join(", "), p.publishedAt && `published ${p.publishedAt}`, `listed ${p.submittedOnDailyAt}`].filter(Boolean).map(esc).join(" · ")}${why}</div>
      <p class="summary">${esc(p.summary)}</p>
      <div class="tags">${tags}${kws}</div>
      <button class="upvote">▲ <span>${p.upvotes}</span></button>
      <button class="similar">Similar papers</button>
    </article>`;
  }).join("") : "<p>No papers.</p>";
}
async function daily() {
  // ?date=, ?week= or ?month= in the page's address pick the listing, as in the API.
  const pick = new URLSearchParams(location.search);
  const query = new URLSearchParams({ sort: "trending", limit: "100" });
  for (const k of ["date", "week", "month"]) if (pick.get(k)) query.set(k, pick.get(k));
  try { const items = await api("/api/daily_papers?" + query); render(items, items[0] ? `listed ${items[0].paper.submittedOnDailyAt}` : ""); $("#status").textContent = ""; }
  catch (e) { $("#status").textContent = e.message; }
}
$("#search").addEventListener("submit", async e => {
  e.preventDefault();
  try { render(await api("/api/papers/search?q=" + encodeURIComponent($("#q").value)), `results for “${$("#q").value}”`); $("#status").textContent = ""; }
  catch (err) { $("#status").textContent = err.message; }
});
$("#daily").addEventListener("click", daily);
$("#subscribe").addEventListener("submit", async e => {
  e.preventDefault();
  try {
    const topics = $("#topics").value.split(",").map(t => t.trim()).filter(Boolean);
    await api("/api/subscriptions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: $("#email").value, topics }) });
    $("#status").textContent = "Almost there: check your inbox for a link to confirm (nothing is sent before you do).";
  } catch (err) { $("#status").textContent = err.message; }
});
$("#papers").addEventListener("click", async e => {
  const article = e.target.closest("article"); if (!article) return;
  const id = article.dataset.id;
  try {
    if (e.target.closest(".upvote")) {
      const r = await api(`/api/papers/${encodeURIComponent(id)}/upvote`, { method: "POST", headers: await csrfHeaders() });
      article.querySelector(".upvote span").textContent = r.upvotes;
    } else if (e.target.closest(".similar")) {
      render(await api(`/api/papers/${encodeURIComponent(id)}/similar`), `papers similar to “${article.querySelector("h2").textContent}”`);
    }
  } catch (err) { $("#status").textContent = err.message; }
});
daily();
