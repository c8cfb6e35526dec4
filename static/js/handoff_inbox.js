// Staff inbox: new and changed handoff requests arrive over /ws/staff/handoffs/; each row is fetched as server HTML.
(() => {
  "use strict";
  const rows = document.querySelector("#handoff-rows");
  const empty = document.querySelector("#inbox-empty");
  const liveMark = document.querySelector("#inbox-live");
  let attempts = 0;

  function refreshEmpty() { empty.hidden = rows.children.length > 0; }

  async function refreshRow(id) {
    const res = await fetch(`/staff/handoffs/rows/${id}/html`, { credentials: "same-origin" });
    if (!res.ok) return;
    const html = (await res.text()).trim();
    const old = rows.querySelector(`li[data-id="${id}"]`);
    if (!html) { old?.remove(); refreshEmpty(); return; } // resolved: out of the inbox
    const tpl = document.createElement("template");
    tpl.innerHTML = html; // rendered and escaped by the server
    const row = tpl.content.firstElementChild;
    if (old) old.replaceWith(row);
    else { row.classList.add("fresh"); rows.appendChild(row); } // the longest waiting stay on top
    refreshEmpty();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/staff/handoffs/`);
    ws.onopen = () => { attempts = 0; liveMark.hidden = false; };
    ws.onmessage = (msg) => {
      try {
        const ev = JSON.parse(msg.data);
        if (ev.type === "handoff") refreshRow(ev.handoff_id);
      } catch (e) { /* ignore a malformed frame */ }
    };
    ws.onclose = (ev) => {
      liveMark.hidden = true;
      if (ev.code === 4401 || ev.code === 4403) return;
      attempts += 1;
      if (attempts <= 8) setTimeout(connect, Math.min(30000, 1000 * 2 ** attempts));
    };
  }

  // The waiting time keeps counting while the page stays open: re-fetch the rows' labels once a minute.
  setInterval(() => rows.querySelectorAll("li[data-id]").forEach((li) => refreshRow(li.dataset.id)), 60000);
  connect();
})();
