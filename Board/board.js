// Anxin duty board: the live board (#/), one card per unresolved alert, updated in place.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});
  const ui = Anxin.ui;
  const h = ui.h;

  /** The lines of a card below its head, rebuilt on every change of the alert. */
  function cardBody(alert) {
    const r = alert.resident;
    const who = r
      ? h(
          "div",
          { class: "who" },
          h("a", { class: "name", href: "#/resident/" + encodeURIComponent(r.id), dataset: { test: "resident-link" } }, r.name),
          r.room ? h("span", { class: "room" }, r.room) : null,
          r.bed ? h("span", { class: "bed", dataset: { test: "card-bed" } }, r.bed) : null
        )
      : h("div", { class: "who who-none" }, h("span", { class: "name" }, Anxin.t(alert.device ? "card.unregistered" : "card.no_resident")));

    const trigger = h(
      "div",
      { class: "trigger" },
      alert.trigger ? Anxin.triggerText(alert.trigger) : null,
      alert.device ? h("span", { class: "device-id" }, Anxin.t("card.device") + " " + alert.device.id) : null
    );

    const escalated = alert.escalated_at
      ? [ui.since(alert.escalated_at, "since-escalated"), alert.escalation_step ? h("span", { class: "step" }, Anxin.t("card.step", { n: alert.escalation_step })) : null]
      : h("span", { class: "muted" }, Anxin.t("card.not_escalated"));
    const timers = h(
      "div",
      { class: "timers" },
      h("div", { class: "timer" }, h("span", { class: "label" }, Anxin.t("card.opened")), h("span", { class: "value", dataset: { test: "elapsed" } }, ui.since(alert.opened_at, "since-opened"))),
      h("div", { class: "timer" }, h("span", { class: "label" }, Anxin.t("card.escalated")), h("span", { class: "value", dataset: { test: "since-escalation" } }, escalated))
    );

    const meta = [];
    if (alert.incident) {
      const ticket = alert.incident.ticket;
      meta.push(
        h(
          "span",
          { class: ["incident", "incident-" + alert.incident.state], dataset: { test: "ticket" } },
          ticket ? Anxin.t("card.ticket") + " " + ticket : Anxin.t("card.incident"),
          " · ",
          Anxin.term("outstate", alert.incident.state)
        )
      );
    }
    if (alert.state === "acknowledged" && alert.acknowledged_by) {
      meta.push(h("span", { class: "acked-by" }, Anxin.t("card.acked_by", { who: alert.acknowledged_by })));
    }
    meta.push(h("a", { class: "details", href: "#/alert/" + encodeURIComponent(alert.id), dataset: { test: "details" } }, Anxin.t("card.details") + " ›"));

    return [who, trigger, timers, h("div", { class: "meta" }, meta)];
  }

  function cardHead(alert) {
    return h(
      "div",
      { class: "card-head" },
      h("span", { class: "sev-chip" }, Anxin.term("severity", alert.severity)),
      h("h2", { class: "rule", dataset: { test: "rule" } }, Anxin.term("rule", alert.rule)),
      h("span", { class: "state-chip", dataset: { test: "state" } }, Anxin.term("state", alert.state)),
      alert.silenced ? h("span", { class: "badge badge-silenced", dataset: { test: "silenced" } }, Anxin.t("card.silenced")) : null
    );
  }

  function cardClasses(alert) {
    return ["card", "sev-" + alert.severity, "state-" + alert.state, alert.silenced ? "silenced" : null].filter(Boolean).join(" ");
  }

  /** One card: {el, slot, key}. The form slot survives updates so a half-typed note is kept. */
  function makeCard(alert, onDone, fresh) {
    const el = h("article", { class: cardClasses(alert) + (fresh ? " fresh" : ""), dataset: { test: "alert-card", alertId: alert.id } });
    const slot = h("div", { class: "form-slot" });
    const card = { el: el, slot: slot, key: "" };
    fillCard(card, alert, onDone);
    setTimeout(function () {
      el.classList.remove("fresh");
    }, 1200);
    return card;
  }

  function fillCard(card, alert, onDone) {
    const el = card.el;
    const keepFresh = el.classList.contains("fresh");
    el.className = cardClasses(alert) + (keepFresh ? " fresh" : "");
    el.dataset.severity = alert.severity;
    el.dataset.state = alert.state;
    el.setAttribute("aria-label", Anxin.term("severity", alert.severity) + " " + Anxin.term("rule", alert.rule));
    // A form for an action that no longer applies (someone else acknowledged) is dropped.
    const form = card.slot.querySelector("form");
    if (form && form.dataset.action === "ack" && alert.state !== "open") {
      ui.clear(card.slot);
      card.slot.classList.remove("open");
    }
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(cardHead(alert));
    for (const part of cardBody(alert)) el.appendChild(part);
    el.appendChild(ui.actionButtons(alert, card.slot, onDone));
    el.appendChild(card.slot);
    card.key = JSON.stringify(alert) + "|" + Anxin.lang() + "|" + ((Anxin.me && Anxin.me.role) || "");
  }

  function summary(list) {
    const counts = { critical: 0, urgent: 0, warning: 0, info: 0 };
    let unacked = 0;
    for (const a of list) {
      if (counts[a.severity] !== undefined) counts[a.severity]++;
      if (a.state === "open") unacked++;
    }
    return { counts: counts, unacked: unacked };
  }

  /** Renders #/ into `view`; returns a cleanup function. */
  Anxin.boardView = function (view) {
    const grid = h("div", { class: "board-grid", dataset: { test: "board" }, "aria-live": "polite" });
    const empty = h("div", { class: "board-empty", dataset: { test: "board-empty" } }, h("div", { class: "empty-mark" }, "✓"), Anxin.t("board.empty"));
    const counts = h("div", { class: "counts", dataset: { test: "counts" } });
    const loading = h("div", { class: "board-loading" }, Anxin.t("board.loading"));
    const heading = h("div", { class: "board-head" }, h("h1", {}, Anxin.t("board.title")), counts);
    view.appendChild(heading);
    view.appendChild(grid);
    view.appendChild(empty);
    view.appendChild(loading);
    const cards = new Map();
    // Cards that arrive after the first full list get a brief white outline.
    let settled = false;

    function onDone(alert) {
      Anxin.alerts.put(alert);
      const action = alert.state === "resolved" ? (alert.cancelled ? "cancel" : "resolve") : "ack";
      Anxin.toast(Anxin.t("action.done." + action));
    }

    function render(list) {
      const ids = new Set(list.map(function (a) {
        return a.id;
      }));
      for (const [id, card] of cards) {
        if (!ids.has(id)) {
          card.el.remove();
          cards.delete(id);
        }
      }
      list.forEach(function (alert, i) {
        let card = cards.get(alert.id);
        if (!card) {
          card = makeCard(alert, onDone, settled);
          cards.set(alert.id, card);
        } else {
          const key = JSON.stringify(alert) + "|" + Anxin.lang() + "|" + ((Anxin.me && Anxin.me.role) || "");
          if (key !== card.key) fillCard(card, alert, onDone);
        }
        const here = grid.children[i];
        if (here !== card.el) grid.insertBefore(card.el, here || null);
      });
      const s = summary(list);
      ui.clear(counts);
      for (const sev of ["critical", "urgent", "warning", "info"]) {
        counts.appendChild(h("span", { class: ["count", "count-" + sev, s.counts[sev] ? null : "zero"], dataset: { test: "count-" + sev } }, Anxin.term("severity", sev) + " " + s.counts[sev]));
      }
      counts.appendChild(h("span", { class: ["count", "count-unacked", s.unacked ? null : "zero"] }, Anxin.t("board.unacked", { n: s.unacked })));
      const loaded = Anxin.alerts.loaded();
      settled = settled || loaded;
      loading.hidden = loaded;
      empty.hidden = !loaded || list.length > 0;
      grid.dataset.count = String(list.length);
    }

    render(Anxin.alerts.list());
    const unsubscribe = Anxin.alerts.subscribe(function (list) {
      render(list);
    });
    return function () {
      unsubscribe();
    };
  };
})();
