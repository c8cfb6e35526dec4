// A handoff request seen by staff: reply in the client's conversation, move the request along, save golden answers.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const i18n = JSON.parse($("#handoff-i18n").textContent);
  const id = $(".handoff").dataset.id;
  const csrf = () => decodeURIComponent((document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "");
  const send = (method, url, body) => fetch(url, {
    method, credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
  const messages = $("#messages");
  const replyText = $("#reply-text");
  const replyStatus = $("#reply-status");
  messages.scrollTop = messages.scrollHeight;

  $("#reply").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = replyText.value.trim();
    if (!text) return;
    $("#reply-send").disabled = true;
    try {
      const res = await send("POST", `/api/v1/handoffs/${id}/replies/`, { text });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) { replyStatus.textContent = body.detail || i18n.error; return; }
      const article = document.createElement("article");
      article.className = "message staff";
      article.dataset.id = body.id;
      const who = document.createElement("p");
      who.className = "author muted";
      who.textContent = `${body.author || i18n.you} · ${i18n.consultant}`;
      const bubble = document.createElement("div");
      bubble.className = "bubble answer";
      bubble.style.whiteSpace = "pre-wrap";
      bubble.textContent = body.content;
      article.append(who, bubble);
      messages.appendChild(article);
      messages.scrollTop = messages.scrollHeight;
      replyText.value = "";
      replyStatus.textContent = i18n.sent;
      const status = $("#workflow select[name=status]");
      if (status.value !== "resolved") status.value = "waiting";
    } catch (err) {
      replyStatus.textContent = i18n.error;
    } finally {
      $("#reply-send").disabled = false;
    }
  });
  replyText.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("#reply").requestSubmit(); }
  });

  $("#workflow").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const assigned = form.assigned_to.value;
    const res = await send("PATCH", `/api/v1/handoffs/${id}/`, {
      status: form.status.value, assigned_to: assigned ? Number(assigned) : null,
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { replyStatus.textContent = body.detail || i18n.error; return; }
    location.reload();
  });

  messages.addEventListener("submit", async (e) => {
    const form = e.target.closest("form.golden");
    if (!form) return;
    e.preventDefault();
    const result = form.querySelector(".result");
    const res = await send("POST", `/api/v1/messages/${form.dataset.message}/golden-answer/`, {
      question: form.question.value, answer: form.answer.value,
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { result.textContent = body.detail || i18n.error; return; }
    result.textContent = `${i18n.saved} `;
    const link = document.createElement("a");
    link.href = `/admin/golden/goldenanswerreview/${body.id}/change/`;
    link.textContent = i18n.review;
    result.appendChild(link);
    form.querySelector("button[type=submit]").disabled = true;
  });
})();
