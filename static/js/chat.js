// ZANTARA web chat: websocket first, then SSE, then a plain POST; says so only when degraded.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const i18n = JSON.parse($("#chat-i18n").textContent);
  const messagesEl = $("#messages");
  const form = $("#ask");
  const input = $("#question");
  // A phone's width (the stylesheet's 700 px) has no room for the keyboard hint, and its keyboard no Shift+Enter.
  if (window.matchMedia("(max-width: 700px)").matches && input.dataset.placeholderShort) {
    input.placeholder = input.dataset.placeholderShort;
  }
  const sendBtn = $("#send");
  const stopBtn = $("#stop");
  const statusEl = $("#status");
  const jumpBtn = $("#jump");
  const titleEl = $("#chat-title");
  const exportMenu = $("#export");
  const editingBar = $("#editing");
  let conversationId = JSON.parse($("#conversation-id").textContent) || null;
  let ws = null;
  let wsReady = false;
  let wsAttempts = 0;
  let current = null; // {bubble, article, messageId, abort, userArticle, regenerate}
  let editing = null; // the id of the question being edited in the input
  let following = true; // the view follows new text while the reader is at the bottom

  let pinnedTop = 0; // where this script last scrolled to: a smaller scrollTop means the reader moved up since
  const nearBottom = () => messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 48;
  function pinToBottom() {
    messagesEl.scrollTop = messagesEl.scrollHeight;
    pinnedTop = messagesEl.scrollTop;
  }
  function scrollToLatest() {
    pinToBottom();
    following = true;
    jumpBtn.hidden = true;
  }
  function follow() {
    if (following && messagesEl.scrollTop < pinnedTop - 4) following = false; // scrolled up between two tokens
    if (following) pinToBottom();
    else jumpBtn.hidden = false;
  }
  messagesEl.addEventListener("scroll", () => {
    following = nearBottom();
    jumpBtn.hidden = following; // away from the latest message, whether or not an answer is still streaming
  }, { passive: true });
  jumpBtn.addEventListener("click", scrollToLatest);

  const csrf = () => (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const jsonHeaders = () => ({ "Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(csrf()) });

  function setStatus(text) {
    statusEl.textContent = text || "";
    statusEl.hidden = !text;
  }

  function connectSocket() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let opened = false;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws/chat/`);
    } catch (e) {
      ws = null;
      return;
    }
    ws.onopen = () => {
      opened = true; wsReady = true; wsAttempts = 0; setStatus("");
      // A consultant's reply to this conversation arrives on this socket while the page shows it.
      if (conversationId) ws.send(JSON.stringify({ type: "watch", conversation_id: conversationId }));
    };
    ws.onmessage = (msg) => {
      try { handleEvent(JSON.parse(msg.data)); } catch (e) { /* ignore a malformed frame */ }
    };
    ws.onclose = (ev) => {
      wsReady = false;
      if (ev.code === 4401) { location.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname); return; }
      if (current && current.via === "ws") finishWithError(i18n.error);
      if (!opened) setStatus(i18n.degraded);
      wsAttempts += 1;
      if (wsAttempts <= 5) setTimeout(connectSocket, Math.min(30000, 1000 * 2 ** wsAttempts)); // backoff
    };
  }

  function addArticle(role, text) {
    $("#welcome")?.remove();
    const article = document.createElement("article");
    article.className = `message ${role}`;
    const bubble = document.createElement("div");
    bubble.className = role === "user" ? "bubble" : "bubble answer streaming";
    bubble.textContent = text;
    article.appendChild(bubble);
    messagesEl.appendChild(article);
    if (role === "user") scrollToLatest(); else follow();
    return { article, bubble };
  }

  function setBusy(busy) {
    sendBtn.disabled = busy;
    stopBtn.hidden = !busy;
    markLast();
  }

  // Only the last question can be edited and only the last answer regenerated, and neither while one streams.
  function markLast() {
    messagesEl.querySelectorAll("button.edit-question, button.regenerate").forEach((b) => { b.hidden = true; });
    if (current) return;
    const saved = [...messagesEl.querySelectorAll("article.message[data-id]:not(.replaced)")];
    const last = saved[saved.length - 1];
    if (last && last.classList.contains("assistant")) {
      const regen = last.querySelector("button.regenerate");
      if (regen) regen.hidden = false;
    }
    const question = saved.filter((a) => a.classList.contains("user")).pop();
    const edit = question && question.querySelector("button.edit-question");
    if (edit) edit.hidden = false;
  }

  async function rerender(article, messageId) {
    try {
      const res = await fetch(`/chat/messages/${messageId}/html`, { credentials: "same-origin" });
      if (!res.ok) return;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await res.text()).trim(); // sanitized server-side
      const fresh = tpl.content.firstElementChild;
      article.replaceWith(fresh);
      markLast();
    } catch (e) { /* keep what is shown */ }
  }

  function questionSaved(article, id) {
    if (!article || article.dataset.id) return;
    article.dataset.id = id;
    const meta = document.createElement("div");
    meta.className = "meta muted question-meta";
    meta.appendChild($("#question-actions").content.firstElementChild.cloneNode(true));
    meta.querySelector("button").dataset.id = id;
    article.appendChild(meta);
  }

  function setExportLinks(id) {
    exportMenu.hidden = false;
    exportMenu.querySelectorAll("a[data-type]").forEach((a) => {
      a.href = `/api/v1/conversations/${id}/export/?type=${a.dataset.type}`;
    });
  }

  function onNewConversation(id, title) {
    if (conversationId === id) return;
    conversationId = id;
    history.replaceState(null, "", `/c/${id}/`);
    const list = $(".conversations");
    list.querySelector(".muted")?.remove();
    list.querySelectorAll("li.active").forEach((el) => el.classList.remove("active"));
    const li = $("#conversation-item").content.firstElementChild.cloneNode(true);
    li.dataset.id = id;
    li.querySelectorAll("button").forEach((b) => { b.dataset.id = id; });
    const a = li.querySelector("a");
    a.href = `/c/${id}/`;
    a.textContent = title.length > 60 ? `${title.slice(0, 60)}…` : title;
    list.prepend(li);
    setTitle(a.textContent);
    setExportLinks(id);
  }

  async function refreshTitle() {
    const res = await fetch(`/api/v1/conversations/${conversationId}/`, { credentials: "same-origin" });
    if (!res.ok) return;
    const title = (await res.json()).title || i18n.untitled;
    const link = $(`.conversations li[data-id="${conversationId}"] a`);
    if (link) link.textContent = title;
    setTitle(title);
  }

  function setTitle(title) {
    titleEl.textContent = title;
    document.title = `${title} · ZANTARA`;
  }

  async function replaceWithRendered(messageId) {
    if (!current) return;
    const target = current.article;
    try {
      const res = await fetch(`/chat/messages/${messageId}/html`, { credentials: "same-origin" });
      if (res.ok) {
        const tpl = document.createElement("template");
        tpl.innerHTML = (await res.text()).trim(); // sanitized server-side
        target.replaceWith(tpl.content.firstElementChild);
        follow();
        markLast();
      }
    } catch (e) { /* keep the streamed text */ }
  }

  function finishWithError(text) {
    if (!current) return;
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    current.article.appendChild(p);
    current.bubble.classList.remove("streaming");
    current = null;
    setBusy(false);
    follow();
  }

  // A message added from outside this page (a consultant's reply, a notice): shown as the server renders it.
  async function addOutsideMessage(messageId) {
    if (messagesEl.querySelector(`article.message[data-id="${messageId}"]`)) return;
    try {
      const res = await fetch(`/chat/messages/${messageId}/html`, { credentials: "same-origin" });
      if (!res.ok) return;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await res.text()).trim(); // sanitized server-side
      $("#welcome")?.remove();
      messagesEl.appendChild(tpl.content.firstElementChild);
      follow();
      markLast();
    } catch (e) { /* it is there on the next load */ }
  }

  function handleEvent(ev) {
    if (ev.type === "message") {
      if (String(ev.conversation_id) === String(conversationId)) addOutsideMessage(ev.message_id);
      return;
    }
    if (ev.type === "watching") {
      document.body.dataset.watching = ev.conversation_id; // replies to this conversation now arrive live
      return;
    }
    if (ev.type === "unread") {
      $(`.conversations li[data-id="${ev.conversation_id}"]`)?.classList.add("unread");
      return;
    }
    if (!current) return;
    switch (ev.type) {
      case "start":
        current.messageId = ev.message_id;
        current.article.dataset.id = ev.message_id;
        questionSaved(current.userArticle, ev.question_id);
        (ev.replaced || []).forEach((id) => {
          const old = messagesEl.querySelector(`article.message[data-id="${id}"]`);
          if (old) rerender(old, id);
        });
        if (current.question) onNewConversation(ev.conversation_id, current.question);
        break;
      case "token":
        current.bubble.textContent += ev.text;
        follow();
        break;
      case "sources":
        current.sources = ev.sources;
        break;
      case "error":
        if (!current.messageId) { finishWithError(ev.message); return; }
        current.errorText = ev.message;
        break;
      case "done": {
        const id = ev.message_id;
        if (current.edit || untitled) refreshTitle(); // an edited (or a first) question renames the conversation
        untitled = false;
        replaceWithRendered(id).finally(() => {
          current = null;
          setBusy(false);
          follow(); // the buttons that came back (edit, regenerate) must not push the answer's end off screen
          if (ev.status === "partial") setStatus(i18n.stopped); else setStatus(wsReady ? "" : statusEl.textContent);
        });
        break;
      }
    }
  }

  async function askSSE(text, edit) {
    const controller = new AbortController();
    current.abort = () => controller.abort();
    current.via = "sse";
    const res = await fetch("/api/v1/chat/stream", {
      method: "POST", credentials: "same-origin", headers: jsonHeaders(), signal: controller.signal,
      body: JSON.stringify(text === null
        ? { conversation_id: conversationId, regenerate: true }
        : { conversation_id: conversationId, message: text, ...(edit ? { edit } : {}) }),
    });
    if (!res.ok || !res.body) {
      const err = new Error(`HTTP ${res.status}`);
      err.status = res.status;
      err.detail = (await res.json().catch(() => ({}))).detail;
      throw err;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
        if (data) handleEvent(JSON.parse(data));
      }
    }
  }

  async function askPOST(text, edit) {
    current.via = "post";
    if (!conversationId) {
      const created = await fetch("/api/v1/conversations/", {
        method: "POST", credentials: "same-origin", headers: jsonHeaders(), body: JSON.stringify({ title: "" }),
      });
      if (!created.ok) throw new Error(`HTTP ${created.status}`);
      onNewConversation((await created.json()).id, text);
    }
    let url = `/api/v1/conversations/${conversationId}/messages/`;
    if (text === null) url = `/api/v1/conversations/${conversationId}/regenerate/`;
    else if (edit) url = `${url}${edit}/edit/`;
    const res = await fetch(url, {
      method: "POST", credentials: "same-origin", headers: jsonHeaders(),
      body: text === null ? "{}" : JSON.stringify({ message: text }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { const err = new Error(body.detail || `HTTP ${res.status}`); err.status = res.status; err.detail = body.detail; throw err; }
    current.bubble.textContent = body.content;
    current.article.dataset.id = body.id;
    // The POST answer says nothing of what it replaced or of the question's id: the page is redrawn from the server.
    if (text === null || edit) { location.reload(); return; }
    handleEvent({ type: "done", message_id: body.id, status: body.status });
  }

  // text === null regenerates the last answer; `edit` is the id of the question the text replaces.
  async function ask(text, edit = null) {
    let userArticle = null;
    if (text !== null) {
      const user = addArticle("user", text);
      user.bubble.textContent = text;
      userArticle = user.article;
    }
    const answer = addArticle("assistant", "");
    current = { ...answer, question: text, messageId: null, via: null, userArticle, edit };
    setBusy(true);
    if (wsReady && ws && ws.readyState === WebSocket.OPEN) {
      current.via = "ws";
      const frame = text === null
        ? { type: "regenerate", conversation_id: conversationId }
        : { type: "ask", conversation_id: conversationId, message: text, ...(edit ? { edit } : {}) };
      ws.send(JSON.stringify(frame));
      return;
    }
    setStatus(i18n.degraded);
    for (const attempt of [askSSE, askPOST]) {
      try { await attempt(text, edit); return; } catch (e) {
        if (e.name === "AbortError") { current = null; setBusy(false); setStatus(i18n.stopped); return; }
        if (e.status && e.status < 500 && e.status !== 404) { finishWithError(e.detail || i18n.error); return; }
        if (current && current.messageId) { finishWithError(i18n.error); return; } // the stream broke after start
      }
    }
    finishWithError(i18n.error);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || current) return;
    input.value = "";
    const edit = editing;
    stopEditing();
    ask(text, edit);
  });

  function stopEditing() {
    editing = null;
    editingBar.hidden = true;
    messagesEl.querySelectorAll("article.being-edited").forEach((a) => a.classList.remove("being-edited"));
  }
  $("#edit-cancel").addEventListener("click", () => { stopEditing(); input.value = ""; });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && current) { e.preventDefault(); stopBtn.click(); }
    else if (e.key === "Escape" && editing) { e.preventDefault(); $("#edit-cancel").click(); }
  });
  stopBtn.addEventListener("click", () => {
    if (!current) return;
    if (current.via === "ws" && ws) ws.send(JSON.stringify({ type: "stop" }));
    else if (current.abort) current.abort();
  });

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea"); // plain http: the old way still works on a user's click
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    if (!ok) throw new Error("copy refused");
  }

  async function onCopy(btn) {
    const bubble = btn.closest("article").querySelector(".bubble.answer");
    try {
      await copyText(bubble.innerText.trim());
    } catch (e) {
      setStatus(i18n.copyFailed);
      return;
    }
    btn.classList.add("copied");
    btn.setAttribute("aria-label", i18n.copied);
    btn.title = i18n.copied;
    btn.querySelector("use").setAttribute("href", "#i-check");
    setStatus(i18n.copied);
    setTimeout(() => {
      btn.classList.remove("copied");
      btn.setAttribute("aria-label", i18n.copyAnswer);
      btn.title = i18n.copyAnswer;
      btn.querySelector("use").setAttribute("href", "#i-copy");
      if (statusEl.textContent === i18n.copied) setStatus("");
    }, 2000);
  }

  function onEdit(btn) {
    if (current) return;
    const article = btn.closest("article");
    stopEditing();
    editing = Number(btn.dataset.id);
    article.classList.add("being-edited");
    input.value = article.querySelector(".bubble").innerText.trim();
    editingBar.hidden = false;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function onRegenerate(btn) {
    if (current || !conversationId) return;
    btn.hidden = true;
    stopEditing();
    ask(null);
  }

  messagesEl.addEventListener("click", async (e) => {
    const action = e.target.closest("button.copy, button.edit-question, button.regenerate");
    if (action) {
      if (action.classList.contains("copy")) onCopy(action);
      else if (action.classList.contains("edit-question")) onEdit(action);
      else onRegenerate(action);
      return;
    }
    const btn = e.target.closest("button.feedback");
    if (!btn) return;
    const value = Number(btn.dataset.value);
    const comment = value === -1 ? (prompt(i18n.commentPrompt) || "") : "";
    const res = await fetch(`/api/v1/messages/${btn.dataset.id}/feedback/`, {
      method: "POST", credentials: "same-origin", headers: jsonHeaders(), body: JSON.stringify({ value, comment }),
    });
    if (res.ok) {
      btn.parentElement.querySelectorAll("button.feedback").forEach((b) => b.classList.remove("chosen"));
      btn.classList.add("chosen");
      setStatus(i18n.thanks);
      setTimeout(() => setStatus(""), 2000);
    }
  });

  const archivedEl = $("#archived");
  const archivedList = archivedEl.querySelector(".archived-list");

  function archivedItem(conversation) {
    const li = $("#archived-item").content.firstElementChild.cloneNode(true);
    li.dataset.id = conversation.id;
    const a = li.querySelector("a");
    a.href = `/c/${conversation.id}/`;
    a.textContent = conversation.title || i18n.untitled;
    li.querySelector("button.restore").dataset.id = conversation.id;
    if (String(conversation.id) === String(conversationId)) li.classList.add("active");
    return li;
  }

  async function loadArchived() {
    const res = await fetch("/api/v1/conversations/?archived=1", { credentials: "same-origin" });
    if (!res.ok) return;
    const body = await res.json();
    archivedList.replaceChildren(...body.results.map(archivedItem));
    if (!body.results.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = i18n.noArchived;
      archivedList.appendChild(empty);
    }
  }
  archivedEl.addEventListener("toggle", () => { if (archivedEl.open) loadArchived(); });

  async function setArchived(id, archived) {
    const res = await fetch(`/api/v1/conversations/${id}/`, {
      method: "PATCH", credentials: "same-origin", headers: jsonHeaders(), body: JSON.stringify({ archived }),
    });
    return res.ok ? res.json() : null;
  }

  $("#sidebar").addEventListener("click", async (e) => {
    const rename = e.target.closest("button.rename");
    const del = e.target.closest("button.delete");
    const archive = e.target.closest("button.archive");
    const restore = e.target.closest("button.restore");
    if (archive) {
      if (await setArchived(archive.dataset.id, true)) {
        archive.closest("li").remove();
        if (archivedEl.open) loadArchived();
      }
    } else if (restore) {
      const conversation = await setArchived(restore.dataset.id, false);
      if (!conversation) return;
      restore.closest("li").remove();
      const li = $("#conversation-item").content.firstElementChild.cloneNode(true);
      li.classList.toggle("active", String(conversation.id) === String(conversationId));
      li.dataset.id = conversation.id;
      li.querySelectorAll("button").forEach((b) => { b.dataset.id = conversation.id; });
      const a = li.querySelector("a");
      a.href = `/c/${conversation.id}/`;
      a.textContent = conversation.title || i18n.untitled;
      const list = $(".conversations");
      list.querySelector(":scope > li.muted")?.remove();
      list.prepend(li);
      if (!archivedList.children.length) loadArchived();
    } else if (rename) {
      const link = rename.closest("li").querySelector("a");
      const title = (prompt(i18n.renamePrompt, link.textContent) || "").trim();
      if (!title || title === link.textContent) return;
      const res = await fetch(`/api/v1/conversations/${rename.dataset.id}/`, {
        method: "PATCH", credentials: "same-origin", headers: jsonHeaders(), body: JSON.stringify({ title }),
      });
      if (res.ok) {
        link.textContent = (await res.json()).title;
        if (String(conversationId) === rename.dataset.id) setTitle(link.textContent);
      }
    } else if (del) {
      if (!confirm(i18n.deleteConfirm)) return;
      const res = await fetch(`/api/v1/conversations/${del.dataset.id}/`, {
        method: "DELETE", credentials: "same-origin", headers: jsonHeaders(),
      });
      if (res.ok) {
        if (String(conversationId) === del.dataset.id) location.href = "/";
        else del.closest("li").remove();
      }
    }
  });

  // The export menu closes once a file is chosen, on a click elsewhere, and on Escape.
  exportMenu.addEventListener("click", (e) => { if (e.target.closest("a")) setTimeout(() => { exportMenu.open = false; }); });
  document.addEventListener("click", (e) => { if (exportMenu.open && !exportMenu.contains(e.target)) exportMenu.open = false; });
  exportMenu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && exportMenu.open) { exportMenu.open = false; exportMenu.querySelector("summary").focus(); }
  });

  // Attach a document: the conversation is created first when there is none; the file's state shows above the input.
  const attachBtn = $("#attach");
  const attachInput = $("#attach-file");
  const attachmentsEl = $("#attachments");
  const ATTACH_ERRORS = { no_text_layer: "noTextLayer", too_large: "tooLarge", over_limit: "tooLarge", unsupported_type: "unsupported" };
  let untitled = false; // a conversation created for an attachment gets its title from the first question

  function attachmentItem(name) {
    const li = document.createElement("li");
    li.className = "attachment reading";
    li.innerHTML = '<svg class="icon"><use href="#i-paperclip"/></svg> <span class="name"></span> <span class="state muted"></span>';
    li.querySelector(".name").textContent = name;
    li.querySelector(".state").textContent = i18n.reading;
    attachmentsEl.hidden = false;
    attachmentsEl.appendChild(li);
    follow();
    return li;
  }

  async function attachFile(file) {
    const li = attachmentItem(file.name);
    const state = li.querySelector(".state");
    attachBtn.disabled = true;
    try {
      if (!conversationId) {
        const created = await fetch("/api/v1/conversations/", {
          method: "POST", credentials: "same-origin", headers: jsonHeaders(), body: JSON.stringify({ title: "" }),
        });
        if (!created.ok) throw new Error(`HTTP ${created.status}`);
        onNewConversation((await created.json()).id, i18n.untitled);
        untitled = true;
      }
      const body = new FormData();
      body.append("file", file);
      const res = await fetch(`/api/v1/conversations/${conversationId}/attachments/`, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": decodeURIComponent(csrf()) }, body,
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) {
        li.className = "attachment failed";
        state.textContent = i18n[ATTACH_ERRORS[data.code]] || data.detail || i18n.attachFailed;
        return;
      }
      if (!data.characters) { state.textContent = i18n.reading; return; } // a busy worker reads it after the upload
      li.className = "attachment ready";
      const pages = data.pages ? `${data.pages} ${data.pages === 1 ? i18n.page : i18n.pages} · ` : "";
      state.textContent = `${pages}${i18n.ready}`;
      input.focus();
    } catch (e) {
      li.className = "attachment failed";
      state.textContent = i18n.attachFailed;
    } finally {
      attachBtn.disabled = false;
      attachInput.value = "";
    }
  }

  attachBtn.addEventListener("click", () => attachInput.click());
  attachInput.addEventListener("change", () => { if (attachInput.files[0]) attachFile(attachInput.files[0]); });

  markLast();
  scrollToLatest(); // an opened conversation starts at its latest message
  connectSocket();
})();
