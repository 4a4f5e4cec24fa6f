// Anxin duty board: the alert, resident, devices, outbox, silences, audit and login pages.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});
  const ui = Anxin.ui;
  const h = ui.h;

  function section(title, test) {
    return h("section", { class: "panel", dataset: { test: test || "" } }, h("h2", { class: "panel-title" }, title));
  }

  function table(headers, rows, test) {
    return h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table", dataset: { test: test || "" } },
        h("thead", {}, h("tr", {}, headers.map(function (t) {
          return h("th", { scope: "col" }, t);
        }))),
        h("tbody", {}, rows)
      )
    );
  }

  function td(content, label, extra) {
    return h("td", { "data-label": label || "", class: extra || null }, content);
  }

  function failed(view, err) {
    if (err && err.status === 401) return;
    view.appendChild(ui.notice("error", Anxin.errorText(err), "error"));
  }

  function tabs(names, current, hrefFor, labelFor) {
    return h(
      "nav",
      { class: "tabs", role: "tablist" },
      names.map(function (n) {
        return h("a", { href: hrefFor(n), role: "tab", class: ["tab", n === current ? "active" : null], "aria-selected": n === current ? "true" : "false", dataset: { test: "tab-" + n } }, labelFor(n));
      })
    );
  }

  function detailText(detail) {
    if (detail === null || detail === undefined || detail === "") return "";
    if (typeof detail === "string") {
      try {
        const parsed = JSON.parse(detail);
        if (parsed && typeof parsed === "object") return detailText(parsed);
      } catch (e) {
        return detail;
      }
      return detail;
    }
    if (typeof detail !== "object") return String(detail);
    return Object.keys(detail)
      .map(function (k) {
        const v = detail[k];
        if (k === "ticket") return Anxin.t("field.ticket") + " " + v;
        if (k === "trigger") return Anxin.t("field.trigger") + " " + Anxin.triggerText(v);
        if (k === "channel") return channelName(v);
        if (k === "targets" && Array.isArray(v)) return v.map(channelName).join("、");
        if (k === "step") return Anxin.t("card.step", { n: Number(v) + 1 });
        return k + ": " + (typeof v === "object" ? JSON.stringify(v) : v);
      })
      .join(" · ");
  }

  function channelName(c) {
    if (c === "hotline") return Anxin.t("channel.hotline");
    return Anxin.has("target." + c) ? Anxin.t("target." + c) : c;
  }

  function yesNo(b) {
    return Anxin.t(b ? "field.yes" : "field.no");
  }

  // ---------------------------------------------------------------- alert page

  Anxin.alertView = function (view, id) {
    let alive = true;
    const slot = h("div", { class: "form-slot" });
    const body = h("div", { class: "alert-page", dataset: { test: "alert-page", alertId: id } }, h("p", { class: "muted" }, Anxin.t("common.loading")));
    view.appendChild(body);

    function load() {
      return Anxin.api("GET", "/api/v1/alerts/" + encodeURIComponent(id)).then(
        function (data) {
          if (alive) draw(data);
        },
        function (err) {
          if (!alive) return;
          ui.clear(body);
          if (err.status === 404) body.appendChild(ui.notice("error", Anxin.t("alert.not_found"), "not-found"));
          else failed(body, err);
        }
      );
    }

    function draw(data) {
      const a = data.alert;
      const openForm = slot.querySelector("form");
      ui.clear(body);
      const r = a.resident;
      const head = h(
        "div",
        { class: ["alert-head", "card", "sev-" + a.severity, "state-" + a.state, a.silenced ? "silenced" : null] },
        h(
          "div",
          { class: "card-head" },
          h("span", { class: "sev-chip" }, Anxin.term("severity", a.severity)),
          h("h1", { class: "rule" }, Anxin.term("rule", a.rule)),
          h("span", { class: "state-chip", dataset: { test: "state" } }, a.cancelled ? Anxin.t("state.cancelled") : Anxin.term("state", a.state)),
          a.silenced ? h("span", { class: "badge badge-silenced" }, Anxin.t("card.silenced")) : null
        ),
        r
          ? h("div", { class: "who" }, h("a", { class: "name", href: "#/resident/" + encodeURIComponent(r.id), dataset: { test: "resident-link" } }, r.name), r.room ? h("span", { class: "room" }, r.room) : null, r.bed ? h("span", { class: "bed" }, r.bed) : null)
          : h("div", { class: "who who-none" }, h("span", { class: "name" }, Anxin.t("card.unregistered"))),
        a.state !== "resolved"
          ? h("div", { class: "timers" }, h("div", { class: "timer" }, h("span", { class: "label" }, Anxin.t("card.opened")), h("span", { class: "value" }, ui.since(a.opened_at))), h("div", { class: "timer" }, h("span", { class: "label" }, Anxin.t("card.escalated")), h("span", { class: "value" }, a.escalated_at ? ui.since(a.escalated_at) : Anxin.t("card.not_escalated"))))
          : null,
        ui.actionButtons(a, slot, function (updated) {
          Anxin.alerts.put(updated);
          load();
        }),
        slot
      );
      if (!openForm) ui.clear(slot);
      body.appendChild(head);

      const inc = a.incident;
      const fields = [
        ["field.id", a.id],
        ["field.rule", Anxin.term("rule", a.rule) + " (" + a.rule + ")"],
        ["field.severity", Anxin.term("severity", a.severity)],
        ["field.state", Anxin.term("state", a.state)],
        ["field.resident", r ? r.name + " · " + r.id : Anxin.t("common.none")],
        ["field.bed", r && r.bed ? r.bed : Anxin.t("common.none"), "bed-code"],
        ["field.room", r && r.room ? r.room : Anxin.t("common.none")],
        ["field.device", a.device ? a.device.id + " · " + a.device.profile : Anxin.t("common.none")],
        ["field.trigger", Anxin.triggerText(a.trigger)],
        ["field.opened_at", Anxin.clockTime(a.opened_at)],
        ["field.updated_at", Anxin.clockTime(a.updated_at)],
        ["field.acknowledged", a.acknowledged_at ? Anxin.clockTime(a.acknowledged_at) + " · " + (a.acknowledged_by || "") : Anxin.t("common.none")],
        ["field.resolved_at", Anxin.clockTime(a.resolved_at)],
        ["field.escalation", a.escalated_at ? Anxin.t("card.step", { n: a.escalation_step || 0 }) + " · " + Anxin.clockTime(a.escalated_at) : Anxin.t("card.not_escalated")],
        ["field.silenced", yesNo(a.silenced)],
        ["field.cancelled", yesNo(a.cancelled)],
        ["field.incident", inc ? inc.id + " · " + Anxin.term("outstate", inc.state) : Anxin.t("common.none")],
        ["field.ticket", inc && inc.ticket ? inc.ticket : Anxin.t("common.none"), "ticket"],
        ["field.hotline_status", a.hotline_status || Anxin.t("common.none")],
      ];
      const fieldsPanel = section(Anxin.t("alert.fields"), "alert-fields");
      fieldsPanel.appendChild(
        h(
          "dl",
          { class: "fields" },
          fields.map(function (f) {
            return h("div", { class: "field" }, h("dt", {}, Anxin.t(f[0])), h("dd", { dataset: { test: f[2] || "field-" + f[0].slice(6) } }, f[1]));
          })
        )
      );

      const history = (data.history || []).slice().sort(function (x, y) {
        return (Anxin.parseTime(x.at) || 0) - (Anxin.parseTime(y.at) || 0);
      });
      const histPanel = section(Anxin.t("alert.history"), "alert-history");
      histPanel.appendChild(
        h(
          "ol",
          { class: "timeline" },
          history.map(function (e) {
            return h(
              "li",
              { class: ["event", "event-" + e.action], dataset: { test: "history-entry", action: e.action } },
              h("span", { class: "event-time" }, Anxin.clockTime(e.at)),
              h("span", { class: "event-action" }, Anxin.term("history", e.action)),
              h("span", { class: "event-by" }, e.by || Anxin.t("history.system")),
              e.note ? h("span", { class: "event-note" }, e.note) : null,
              e.detail ? h("span", { class: "event-detail" }, detailText(e.detail)) : null
            );
          })
        )
      );

      const delPanel = section(Anxin.t("alert.deliveries"), "alert-deliveries");
      const deliveries = data.deliveries || [];
      if (deliveries.length === 0) {
        delPanel.appendChild(h("p", { class: "muted" }, Anxin.t("alert.no_deliveries")));
      } else {
        const H = ["delivery.channel", "delivery.kind", "delivery.state", "delivery.attempts", "delivery.last", "delivery.ticket", "delivery.when"].map(Anxin.t);
        delPanel.appendChild(
          table(
            H,
            deliveries.map(function (d) {
              const state = d.state === "pending" && d.attempts > 0 ? "retrying" : d.state;
              return h(
                "tr",
                { dataset: { test: "delivery", state: state } },
                td(channelName(d.channel), H[0]),
                td(Anxin.term("outkind", d.kind), H[1]),
                td(h("span", { class: ["pill", "pill-" + state] }, Anxin.term("outstate", state)), H[2]),
                td(String(d.attempts ?? 0), H[3]),
                td([d.last_status ? String(d.last_status) : "", d.last_error ? " " + d.last_error : ""].join("") || Anxin.t("common.none"), H[4]),
                td(d.ticket || Anxin.t("common.none"), H[5]),
                td(d.delivered_at ? Anxin.clockTime(d.delivered_at) : d.next_attempt_at ? "→ " + Anxin.clockTime(d.next_attempt_at) : Anxin.t("common.none"), H[6])
              );
            }),
            "deliveries"
          )
        );
      }
      body.appendChild(h("div", { class: "columns" }, h("div", { class: "col" }, fieldsPanel), h("div", { class: "col" }, histPanel, delPanel)));
    }

    load();
    // Reload when the live stream reports a change to this alert.
    const unsubscribe = Anxin.alerts.subscribe(function (list, changed) {
      if (changed && changed.id === id && !slot.querySelector("form")) load();
    });
    return function () {
      alive = false;
      unsubscribe();
    };
  };

  // ------------------------------------------------------------- resident page

  const vitalOrder = ["heart_rate", "systolic", "diastolic", "spo2", "respiration_rate", "body_temp", "blood_glucose", "battery", "steps", "in_bed", "worn"];

  Anxin.residentView = function (view, id) {
    let alive = true;
    const body = h("div", { class: "resident-page", dataset: { test: "resident-page" } }, h("p", { class: "muted" }, Anxin.t("common.loading")));
    view.appendChild(body);

    Anxin.api("GET", "/api/v1/residents/" + encodeURIComponent(id)).then(
      function (r) {
        if (alive) draw(r);
      },
      function (err) {
        if (!alive) return;
        ui.clear(body);
        if (err.status === 404) body.appendChild(ui.notice("error", Anxin.t("resident.not_found"), "not-found"));
        else failed(body, err);
      }
    );

    function draw(r) {
      ui.clear(body);
      const flags = (r.flags || []).map(function (f) {
        return h("span", { class: ["flag", "flag-" + f], dataset: { test: "flag" } }, Anxin.term("flag", f));
      });
      const care = typeof r.care_level === "number" ? h("span", { class: ["care", "care-" + r.care_level], dataset: { test: "care-level" } }, Anxin.t("care.label") + " " + r.care_level + " · " + Anxin.term("care", r.care_level)) : null;

      const contacts = (r.contacts || []).map(function (c) {
        return h(
          "li",
          { class: "contact" },
          h("span", { class: "contact-name" }, c.name + (c.relation ? "（" + c.relation + "）" : "")),
          c.phone ? h("a", { class: "tel", href: "tel:" + c.phone.replace(/[^0-9+]/g, ""), dataset: { test: "tel" } }, "☎ " + c.phone) : null
        );
      });
      if (r.key_holder) {
        contacts.push(
          h(
            "li",
            { class: "contact" },
            h("span", { class: "contact-name" }, Anxin.t("resident.key_holder") + "：" + r.key_holder.name),
            r.key_holder.phone ? h("a", { class: "tel", href: "tel:" + r.key_holder.phone.replace(/[^0-9+]/g, ""), dataset: { test: "tel" } }, "☎ " + r.key_holder.phone) : null
          )
        );
      }

      const card = h(
        "section",
        { class: "panel resident-card" },
        h("div", { class: "resident-head" }, h("h1", { class: "resident-name", dataset: { test: "resident-name" } }, r.name), care),
        h("div", { class: "resident-place" }, h("span", { class: "bed-code", dataset: { test: "bed-code" } }, r.bed || Anxin.t("common.none")), h("span", { class: "room", dataset: { test: "room" } }, r.room || "")),
        flags.length ? h("div", { class: "flags" }, flags) : null,
        h(
          "div",
          { class: "resident-details" },
          h(
          "dl",
          { class: "fields" },
          r.address ? h("div", { class: "field" }, h("dt", {}, Anxin.t("resident.address")), h("dd", {}, r.address)) : null,
          r.phone ? h("div", { class: "field" }, h("dt", {}, Anxin.t("resident.phone")), h("dd", {}, h("a", { class: "tel", href: "tel:" + r.phone.replace(/[^0-9+]/g, ""), dataset: { test: "tel" } }, "☎ " + r.phone))) : null,
          r.medical_notes ? h("div", { class: "field" }, h("dt", {}, Anxin.t("resident.medical")), h("dd", {}, r.medical_notes)) : null
        ),
        contacts.length ? h("div", { class: "resident-contacts" }, h("h3", { class: "sub" }, Anxin.t("resident.contacts")), h("ul", { class: "contacts" }, contacts)) : null
        )
      );

      // Open alerts first: that is why staff opened this page.
      const openPanel = section(Anxin.t("resident.open_alerts"), "resident-alerts");
      const openAlerts = (r.open_alerts || []).slice().sort(Anxin.compareAlerts);
      if (openAlerts.length === 0) openPanel.appendChild(h("p", { class: "muted" }, Anxin.t("resident.no_alerts")));
      for (const a of openAlerts) {
        openPanel.appendChild(
          h(
            "a",
            { class: ["mini-alert", "sev-" + a.severity, "state-" + a.state], href: "#/alert/" + encodeURIComponent(a.id), dataset: { test: "resident-alert" } },
            h("span", { class: "sev-chip" }, Anxin.term("severity", a.severity)),
            h("span", { class: "rule" }, Anxin.term("rule", a.rule)),
            h("span", { class: "state-chip" }, Anxin.term("state", a.state)),
            ui.since(a.opened_at)
          )
        );
      }

      const vitalsPanel = section(Anxin.t("resident.vitals"), "resident-vitals");
      const vitals = r.vitals || {};
      const kinds = vitalOrder.filter(function (k) {
        return vitals[k] !== undefined;
      });
      if (kinds.length === 0) vitalsPanel.appendChild(h("p", { class: "muted" }, Anxin.t("resident.no_vitals")));
      const vitalGrid = h("div", { class: "vitals" });
      vitalsPanel.appendChild(vitalGrid);
      const now = Date.now();
      const since = new Date(now - 24 * 3600 * 1000).toISOString();
      for (const kind of kinds) {
        const v = vitals[kind];
        const chartSlot = h("div", { class: "chart-slot" });
        const range = h("div", { class: "chart-range muted" });
        vitalGrid.appendChild(
          h(
            "div",
            { class: ["vital", "vital-" + kind], dataset: { test: "vital-" + kind } },
            h("div", { class: "vital-name" }, Anxin.term("kind", kind)),
            h("div", { class: "vital-value", dataset: { test: "vital-value" } }, Anxin.readingText(kind, v.value)),
            h("div", { class: "vital-at muted" }, ui.ago(v.at)),
            chartSlot,
            range
          )
        );
        if (typeof v.value === "number" || typeof v.value === "boolean") {
          Anxin.api("GET", "/api/v1/residents/" + encodeURIComponent(id) + "/readings?kind=" + kind + "&since=" + encodeURIComponent(since) + "&limit=5000").then(
            function (data) {
              if (!alive) return;
              const chart = ui.trendChart(kind, (data && data.readings) || [], Date.now());
              chartSlot.appendChild(chart.svg);
              if (chart.min !== null && typeof v.value === "number") range.textContent = Anxin.t("chart.range", { min: Anxin.readingText(kind, chart.min), max: Anxin.readingText(kind, chart.max) });
            },
            function () {}
          );
        }
      }

      const locPanel = section(Anxin.t("resident.location"), "resident-location");
      let fix = r.location || null;
      if (!fix && vitals.location && vitals.location.value && typeof vitals.location.value === "object") {
        fix = Object.assign({ at: vitals.location.at }, vitals.location.value);
      }
      const zone = r.home_zone || null;
      if (fix || zone) {
        const map = ui.locationMap(zone, fix);
        locPanel.appendChild(map.svg);
        if (map.distance !== null) {
          locPanel.appendChild(h("p", { class: ["where", map.inside ? "inside" : "outside"], dataset: { test: "distance", metres: String(Math.round(map.distance)) } }, Anxin.t(map.inside ? "resident.in_zone" : "resident.out_zone", { d: Math.round(map.distance) })));
        }
        if (fix && fix.at) locPanel.appendChild(h("p", { class: "muted" }, Anxin.t("resident.fix_at", { t: Anxin.clockTime(fix.at) }), " · ", ui.ago(fix.at)));
        if (!fix) locPanel.appendChild(h("p", { class: "muted" }, Anxin.t("resident.no_location")));
      }
      if (!fix && r.room && (vitals.in_bed !== undefined || !zone)) {
        locPanel.appendChild(h("p", { class: "bed-sensor", dataset: { test: "room-location" } }, Anxin.t("resident.bed_sensor", { room: r.room }), vitals.in_bed ? " · " + Anxin.readingText("in_bed", vitals.in_bed.value) : ""));
      }

      const devPanel = section(Anxin.t("resident.devices"), "resident-devices");
      const devices = (r.devices || []).map(function (d) {
        return typeof d === "string" ? { id: d } : d;
      });
      if (devices.length) {
        const H = ["device.id", "device.profile", "device.battery", "device.last_seen"].map(Anxin.t);
        devPanel.appendChild(
          table(
            H,
            devices.map(function (d) {
              return h("tr", { class: d.silent ? "row-warn" : null, dataset: { test: "device" } }, td(d.id, H[0], "mono"), td(d.profile || Anxin.t("common.none"), H[1]), td(battery(d.battery), H[2]), td([d.last_seen ? ui.ago(d.last_seen) : Anxin.t("time.never"), d.silent ? h("span", { class: "pill pill-rejected" }, Anxin.t("device.silent")) : null], H[3]));
            })
          )
        );
      }

      body.appendChild(card);
      body.appendChild(h("div", { class: "columns" }, h("div", { class: "col" }, openPanel, vitalsPanel), h("div", { class: "col" }, locPanel, devPanel)));
    }

    return function () {
      alive = false;
    };
  };

  function battery(value) {
    if (typeof value !== "number") return Anxin.t("common.none");
    const level = value <= 15 ? "low" : value <= 40 ? "mid" : "ok";
    // The bar's width comes from a class in 10 % steps: the CSP forbids inline styles.
    const step = Math.max(0, Math.min(10, Math.round(value / 10)));
    return h("span", { class: "battery", dataset: { test: "battery", value: String(value) } }, h("span", { class: "battery-bar" }, h("span", { class: ["battery-fill", "w" + step, "battery-" + level] })), h("span", { class: "battery-text" }, Math.round(value) + "%"));
  }

  // -------------------------------------------------------------- devices page

  Anxin.devicesView = function (view, filter) {
    const filters = ["silent", "low_battery", "unregistered"];
    if (filters.indexOf(filter) < 0) filter = "silent";
    let alive = true;
    view.appendChild(h("h1", { class: "page-title" }, Anxin.t("devices.title")));
    view.appendChild(tabs(filters, filter, function (f) {
      return "#/devices/" + f;
    }, function (f) {
      return Anxin.t("devices." + f);
    }));
    const body = h("div", { class: "panel", dataset: { test: "devices" } }, h("p", { class: "muted" }, Anxin.t("common.loading")));
    view.appendChild(body);
    Anxin.api("GET", "/api/v1/devices?filter=" + filter).then(
      function (data) {
        if (!alive) return;
        ui.clear(body);
        const list = (data && data.devices) || [];
        if (list.length === 0) return body.appendChild(h("p", { class: "muted", dataset: { test: "empty" } }, Anxin.t("devices.empty")));
        const H = ["device.id", "device.profile", "device.resident", "device.battery", "device.last_seen"].map(Anxin.t);
        body.appendChild(
          table(
            H,
            list.map(function (d) {
              const r = d.resident;
              return h(
                "tr",
                { dataset: { test: "device", deviceId: d.id } },
                td(d.id, H[0], "mono"),
                td(d.profile || Anxin.t("common.none"), H[1]),
                td(r ? [h("a", { href: "#/resident/" + encodeURIComponent(r.id) }, r.name), " ", h("span", { class: "muted" }, [r.room, r.bed].filter(Boolean).join(" · "))] : h("span", { class: "pill pill-rejected" }, Anxin.t(d.registered ? "card.no_resident" : "device.unregistered")), H[2]),
                td(battery(d.battery), H[3]),
                td(d.last_seen ? [ui.ago(d.last_seen), h("div", { class: "muted small" }, Anxin.clockTime(d.last_seen))] : Anxin.t("time.never"), H[4])
              );
            }),
            "devices-table"
          )
        );
      },
      function (err) {
        if (!alive) return;
        ui.clear(body);
        failed(body, err);
      }
    );
    return function () {
      alive = false;
    };
  };

  // --------------------------------------------------------------- outbox page

  Anxin.outboxView = function (view, tab) {
    const names = ["pending", "retrying", "rejected", "delivered"];
    if (names.indexOf(tab) < 0) tab = "pending";
    let alive = true;
    view.appendChild(h("h1", { class: "page-title" }, Anxin.t("outbox.title")));
    view.appendChild(tabs(names, tab, function (n) {
      return "#/outbox/" + n;
    }, function (n) {
      return Anxin.t("outbox." + n);
    }));
    const body = h("div", { class: "panel", dataset: { test: "outbox" } }, h("p", { class: "muted" }, Anxin.t("common.loading")));
    view.appendChild(body);
    const state = tab === "retrying" ? "pending" : tab;

    function load() {
      Anxin.api("GET", "/api/v1/outbox?state=" + state).then(
        function (data) {
          if (!alive) return;
          ui.clear(body);
          let items = (data && data.items) || [];
          if (tab === "pending") items = items.filter(function (i) {
            return !i.attempts;
          });
          if (tab === "retrying") items = items.filter(function (i) {
            return i.attempts > 0;
          });
          if (items.length === 0) return body.appendChild(h("p", { class: "muted", dataset: { test: "empty" } }, Anxin.t("outbox.empty")));
          if (tab === "rejected" && !Anxin.isAdmin()) body.appendChild(h("p", { class: "muted small" }, Anxin.t("outbox.admin_only")));
          const H = ["field.id", "outbox.alert", "delivery.channel", "delivery.kind", "delivery.attempts", "outbox.reason", tab === "delivered" ? "delivery.ticket" : "outbox.next", "outbox.created"].map(Anxin.t);
          if (tab === "rejected" && Anxin.isAdmin()) H.push("");
          body.appendChild(
            table(
              H,
              items.map(function (i) {
                const reason = [i.last_status ? String(i.last_status) : "", i.last_error || ""].filter(Boolean).join(" ");
                const cells = [
                  td(i.id, H[0], "mono"),
                  td(i.alert_id ? h("a", { href: "#/alert/" + encodeURIComponent(i.alert_id) }, i.alert_id) : Anxin.t("common.none"), H[1], "mono"),
                  td(channelName(i.channel), H[2]),
                  td(Anxin.term("outkind", i.kind), H[3]),
                  td(String(i.attempts ?? 0), H[4]),
                  td(reason || Anxin.t("common.none"), H[5], reason ? "reason" : null),
                  td(tab === "delivered" ? i.ticket || Anxin.t("common.none") : i.next_attempt_at ? Anxin.clockTime(i.next_attempt_at) : Anxin.t("common.none"), H[6]),
                  td(Anxin.clockTime(i.created_at), H[7]),
                ];
                if (tab === "rejected" && Anxin.isAdmin()) {
                  cells.push(
                    td(
                      h("button", {
                        type: "button",
                        class: "btn btn-small",
                        dataset: { test: "requeue" },
                        onclick: function (ev) {
                          ev.target.disabled = true;
                          Anxin.api("POST", "/api/v1/outbox/" + encodeURIComponent(i.id) + "/requeue", {}).then(
                            function () {
                              Anxin.toast(Anxin.t("outbox.requeued"));
                              load();
                            },
                            function (err) {
                              ev.target.disabled = false;
                              Anxin.toast(Anxin.errorText(err), "error");
                            }
                          );
                        },
                        text: Anxin.t("outbox.requeue"),
                      }),
                      ""
                    )
                  );
                }
                return h("tr", { dataset: { test: "outbox-item", itemId: i.id } }, cells);
              }),
              "outbox-table"
            )
          );
        },
        function (err) {
          if (!alive) return;
          ui.clear(body);
          failed(body, err);
        }
      );
    }
    load();
    return function () {
      alive = false;
    };
  };

  // ------------------------------------------------------------- silences page

  const ruleNames = ["heart_rate_high", "heart_rate_low", "bp_high", "bp_crisis", "bp_low", "spo2_low", "spo2_critical", "device_silent", "bed_exit_night", "geofence_exit", "low_battery", "not_worn", "power_off", "ingest_outage"];
  const reasonPresets = [
    ["preset.hospital", 3 * 24 * 60, "resident"],
    ["preset.charging", 60, "device"],
    ["preset.visit", 120, "resident"],
  ];
  const minutePresets = [30, 60, 120, 480, 1440, 4320];

  function minutesText(m) {
    if (m % 1440 === 0) return Anxin.t("duration.d", { n: m / 1440 });
    if (m % 60 === 0) return Anxin.t("duration.h", { n: m / 60 });
    return Anxin.t("duration.m", { n: m });
  }

  Anxin.silencesView = function (view) {
    let alive = true;
    view.appendChild(h("h1", { class: "page-title" }, Anxin.t("silences.title")));
    const listPanel = h("section", { class: "panel", dataset: { test: "silences" } }, h("p", { class: "muted" }, Anxin.t("common.loading")));

    function load() {
      Anxin.api("GET", "/api/v1/silences").then(
        function (data) {
          if (!alive) return;
          ui.clear(listPanel);
          const list = (data && data.silences) || [];
          if (list.length === 0) return listPanel.appendChild(h("p", { class: "muted", dataset: { test: "empty" } }, Anxin.t("silences.empty")));
          const H = ["silences.scope", "silences.target", "silences.reason", "silences.by", "silences.ends", ""].map(function (k) {
            return k ? Anxin.t(k) : "";
          });
          listPanel.appendChild(
            table(
              H,
              list.map(function (sl) {
                const target = sl.scope === "rule" ? Anxin.term("rule", sl.target) : sl.target;
                return h(
                  "tr",
                  { dataset: { test: "silence", silenceId: String(sl.id) } },
                  td(Anxin.term("scope", sl.scope), H[0]),
                  td(sl.scope === "resident" ? h("a", { href: "#/resident/" + encodeURIComponent(sl.target) }, target) : target, H[1]),
                  td(sl.reason || Anxin.t("common.none"), H[2]),
                  td(sl.by || Anxin.t("common.none"), H[3]),
                  td([Anxin.clockTime(sl.ends_at)], H[4]),
                  td(
                    Anxin.canAct()
                      ? h("button", {
                          type: "button",
                          class: "btn btn-small",
                          dataset: { test: "lift" },
                          onclick: function (ev) {
                            ev.target.disabled = true;
                            Anxin.api("DELETE", "/api/v1/silences/" + encodeURIComponent(sl.id)).then(load, function (err) {
                              ev.target.disabled = false;
                              Anxin.toast(Anxin.errorText(err), "error");
                            });
                          },
                          text: Anxin.t("silences.lift"),
                        })
                      : null,
                    ""
                  )
                );
              }),
              "silences-table"
            )
          );
        },
        function (err) {
          if (!alive) return;
          ui.clear(listPanel);
          failed(listPanel, err);
        }
      );
    }

    if (Anxin.canAct()) view.appendChild(addForm(load));
    view.appendChild(listPanel);
    load();
    return function () {
      alive = false;
    };
  };

  function addForm(onSaved) {
    const scope = h(
      "select",
      { class: "input", dataset: { test: "silence-scope" }, "aria-label": Anxin.t("silences.scope") },
      ["resident", "device", "rule"].map(function (sc) {
        return h("option", { value: sc }, Anxin.t("scope." + sc));
      })
    );
    const targetText = h("input", { type: "text", class: "input", dataset: { test: "silence-target" }, "aria-label": Anxin.t("silences.target"), placeholder: Anxin.t("silences.target.resident") });
    const targetRule = h(
      "select",
      { class: "input", hidden: true, dataset: { test: "silence-rule" }, "aria-label": Anxin.t("silences.target.rule") },
      ruleNames.map(function (r) {
        return h("option", { value: r }, Anxin.term("rule", r));
      })
    );
    // Residents on the board, offered as suggestions.
    const suggestions = h("datalist", { id: "silence-targets" });
    targetText.setAttribute("list", "silence-targets");
    function fillSuggestions() {
      ui.clear(suggestions);
      const seen = new Set();
      for (const a of Anxin.alerts.list()) {
        const value = scope.value === "device" ? a.device && a.device.id : a.resident && a.resident.id;
        const label = a.resident ? a.resident.name + " " + (a.resident.room || "") : "";
        if (value && !seen.has(value)) {
          seen.add(value);
          suggestions.appendChild(h("option", { value: value }, label));
        }
      }
    }
    fillSuggestions();
    scope.addEventListener("change", function () {
      const isRule = scope.value === "rule";
      targetRule.hidden = !isRule;
      targetText.hidden = isRule;
      targetText.placeholder = Anxin.t("silences.target." + scope.value);
      fillSuggestions();
    });
    const minutes = h("input", { type: "number", class: "input input-minutes", min: "1", max: "43200", value: "120", dataset: { test: "silence-minutes" }, "aria-label": Anxin.t("silences.minutes") });
    const reason = h("input", { type: "text", class: "input", maxlength: "200", dataset: { test: "silence-reason" }, "aria-label": Anxin.t("silences.reason"), placeholder: Anxin.t("silences.reason") });
    const message = h("div", { class: "form-message" });
    const presetButtons = reasonPresets.map(function (p) {
      return h("button", {
        type: "button",
        class: "chip",
        dataset: { test: "preset" },
        onclick: function () {
          reason.value = Anxin.t(p[0]);
          minutes.value = String(p[1]);
          if (scope.value === "rule" || (p[2] === "device") !== (scope.value === "device")) {
            scope.value = p[2];
            scope.dispatchEvent(new Event("change"));
          }
        },
        text: Anxin.t(p[0]) + " · " + minutesText(p[1]),
      });
    });
    const minuteButtons = minutePresets.map(function (m) {
      return h("button", {
        type: "button",
        class: "chip chip-small",
        onclick: function () {
          minutes.value = String(m);
        },
        text: minutesText(m),
      });
    });
    const save = h("button", { type: "submit", class: "btn btn-primary", dataset: { test: "silence-save" } }, Anxin.t("silences.save"));
    const form = h(
      "form",
      { class: "panel silence-form", dataset: { test: "silence-form" } },
      h("h2", { class: "panel-title" }, Anxin.t("silences.add")),
      h("div", { class: "presets" }, presetButtons),
      h("div", { class: "form-row" }, h("label", { class: "form-field" }, h("span", {}, Anxin.t("silences.scope")), scope), h("label", { class: "form-field grow" }, h("span", {}, Anxin.t("silences.target")), targetText, targetRule, suggestions)),
      h("div", { class: "form-row" }, h("label", { class: "form-field" }, h("span", {}, Anxin.t("silences.minutes")), minutes), h("div", { class: "presets" }, minuteButtons)),
      h("label", { class: "form-field" }, h("span", {}, Anxin.t("silences.reason")), reason),
      h("p", { class: "muted small" }, Anxin.t("silences.note")),
      h("div", { class: "form-buttons" }, save),
      message
    );
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const body = {
        scope: scope.value,
        target: scope.value === "rule" ? targetRule.value : targetText.value.trim(),
        minutes: Number(minutes.value),
        reason: reason.value.trim(),
      };
      ui.clear(message);
      if (!body.target || !(body.minutes > 0)) {
        message.appendChild(ui.notice("error", Anxin.t("error.generic", { msg: Anxin.t("silences.target") + " / " + Anxin.t("silences.minutes") })));
        return;
      }
      save.disabled = true;
      Anxin.api("POST", "/api/v1/silences", body).then(
        function () {
          save.disabled = false;
          targetText.value = "";
          reason.value = "";
          onSaved();
        },
        function (err) {
          save.disabled = false;
          message.appendChild(ui.notice("error", Anxin.errorText(err), "silence-error"));
        }
      );
    });
    return form;
  }

  // ---------------------------------------------------------------- audit page

  Anxin.auditView = function (view) {
    let alive = true;
    view.appendChild(h("h1", { class: "page-title" }, Anxin.t("audit.title")));
    const body = h("div", { class: "panel", dataset: { test: "audit" } }, h("p", { class: "muted" }, Anxin.t("common.loading")));
    view.appendChild(body);
    Anxin.api("GET", "/api/v1/audit?limit=200").then(
      function (data) {
        if (!alive) return;
        ui.clear(body);
        const H = ["history.at", "history.by", "history.action", "silences.target", "history.note", "delivery.state"].map(Anxin.t);
        body.appendChild(
          table(
            H,
            ((data && data.entries) || []).map(function (e) {
              return h("tr", {}, td(Anxin.clockTime(e.at), H[0]), td(e.actor + " · " + Anxin.term("role", e.role), H[1]), td(e.action, H[2], "mono"), td(e.target || "", H[3], "mono"), td(e.note || "", H[4]), td(e.outcome || "", H[5]));
            })
          )
        );
      },
      function (err) {
        if (!alive) return;
        ui.clear(body);
        failed(body, err);
      }
    );
    return function () {
      alive = false;
    };
  };

  // ---------------------------------------------------------------- login page

  Anxin.loginView = function (view) {
    const user = h("input", { type: "text", class: "input", autocomplete: "username", autocapitalize: "none", required: true, dataset: { test: "login-user" }, "aria-label": Anxin.t("login.user") });
    const password = h("input", { type: "password", class: "input", autocomplete: "current-password", required: true, dataset: { test: "login-password" }, "aria-label": Anxin.t("login.password") });
    const submit = h("button", { type: "submit", class: "btn btn-primary btn-wide", dataset: { test: "login-submit" } }, Anxin.t("login.submit"));
    const message = h("div", { class: "form-message" });
    const form = h(
      "form",
      { class: "panel login", dataset: { test: "login-form" } },
      h("h1", { class: "panel-title" }, Anxin.t("login.title")),
      h("label", { class: "form-field" }, h("span", {}, Anxin.t("login.user")), user),
      h("label", { class: "form-field" }, h("span", {}, Anxin.t("login.password")), password),
      submit,
      message
    );
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      ui.clear(message);
      submit.disabled = true;
      submit.textContent = Anxin.t("login.busy");
      Anxin.api("POST", "/api/v1/login", { user: user.value.trim(), password: password.value }).then(
        function (me) {
          Anxin.me = Object.assign({ anonymous: false }, me);
          let back = "#/";
          try {
            back = sessionStorage.getItem("anxin.return") || "#/";
            sessionStorage.removeItem("anxin.return");
          } catch (e) {
            /* ignore */
          }
          if (back.indexOf("#/login") === 0) back = "#/";
          Anxin.signedIn();
          location.hash = back;
        },
        function (err) {
          submit.disabled = false;
          submit.textContent = Anxin.t("login.submit");
          message.appendChild(ui.notice("error", err.status === 401 ? Anxin.t("login.failed") : Anxin.errorText(err), "login-error"));
        }
      );
    });
    view.appendChild(h("div", { class: "login-wrap" }, form));
    user.focus();
    return function () {};
  };
})();
