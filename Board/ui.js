// Anxin duty board: small DOM helpers, the inline action form, the 24-hour trend chart and the
// location sketch. No inline styles anywhere: the server's CSP allows only this origin's CSS.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});
  const SVG_NS = "http://www.w3.org/2000/svg";

  /**
   * Builds an element: h("div", {class: "card", dataset: {test: "x"}, onclick: fn}, child, …).
   * Children may be strings, nodes, arrays or null. Attributes are set with setAttribute, never `style`.
   */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    applyAttrs(el, attrs);
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function applyAttrs(el, attrs) {
    if (!attrs) return;
    for (const name of Object.keys(attrs)) {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
      else if (name === "dataset") for (const k of Object.keys(value)) el.dataset[k] = value[k];
      else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else if (name === "value") el.value = value;
      else if (name === "style") throw new Error("inline styles are blocked by the CSP; use a class");
      else el.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      for (const c of child) append(el, c);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }

  /** An SVG element with attributes. */
  function s(tag, attrs) {
    const el = document.createElementNS(SVG_NS, tag);
    if (attrs) {
      for (const name of Object.keys(attrs)) {
        if (name === "text") el.textContent = attrs[name];
        else el.setAttribute(name, String(attrs[name]));
      }
    }
    for (let i = 2; i < arguments.length; i++) if (arguments[i]) el.appendChild(arguments[i]);
    return el;
  }

  /** Removes every child of `el`. */
  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  /** A <span> whose text ticks every second: elapsed time since `iso` (see Anxin.tick). */
  function since(iso, extraClass) {
    const el = h("span", { class: ["since", extraClass] });
    const at = Anxin.parseTime(iso);
    if (at === null) {
      el.textContent = Anxin.t("common.none");
    } else {
      el.dataset.since = String(at);
      el.textContent = Anxin.duration(Date.now() - at);
    }
    return el;
  }

  /** Same, as "3分前". */
  function ago(iso) {
    const el = h("span", { class: "ago" });
    const at = Anxin.parseTime(iso);
    el.textContent = Anxin.ago(iso);
    if (at !== null) el.dataset.ago = String(at);
    return el;
  }

  /** Refreshes every ticking element on the page; called once a second. */
  Anxin.tick = function () {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-since]")) {
      el.textContent = Anxin.duration(now - Number(el.dataset.since));
    }
    for (const el of document.querySelectorAll("[data-ago]")) {
      const ms = now - Number(el.dataset.ago);
      el.textContent = ms < 5000 ? Anxin.t("time.now") : Anxin.t("time.ago", { t: Anxin.duration(ms) });
    }
  };

  /** A one-line message box; kind is "error", "info" or "ok". */
  function notice(kind, text, test) {
    return h("div", { class: ["notice", "notice-" + kind], role: kind === "error" ? "alert" : "status", dataset: { test: test || "notice" } }, text);
  }

  /** The message for a failed API call. */
  Anxin.errorText = function (err) {
    if (err && err.status === 403) return Anxin.t("error.forbidden");
    if (err && err.status === 0) return Anxin.t("error.network");
    return Anxin.t("error.generic", { msg: (err && err.message) || String(err) });
  };

  /**
   * The inline action form for ack / resolve / cancel, put in `slot` (which it empties first).
   * onDone(alert) is called with the updated alert; the form closes itself.
   */
  function actionForm(slot, alert, action, onDone) {
    clear(slot);
    const noteInput = h("input", {
      type: "text",
      class: "note-input",
      maxlength: "500",
      placeholder: Anxin.t("action.note.placeholder"),
      "aria-label": Anxin.t("action.note"),
      dataset: { test: "note" },
    });
    const me = Anxin.me || {};
    let byInput = null;
    if (me.anonymous) {
      byInput = h("input", {
        type: "text",
        class: "by-input",
        maxlength: "60",
        placeholder: Anxin.t("action.by.placeholder"),
        "aria-label": Anxin.t("action.by"),
        value: localStorage.getItem("anxin.by") || "",
        dataset: { test: "by" },
      });
    }
    const presets = h(
      "div",
      { class: "presets" },
      [1, 2, 3, 4].map(function (n) {
        const text = Anxin.t("note.preset." + n);
        return h("button", {
          type: "button",
          class: "chip",
          onclick: function () {
            noteInput.value = noteInput.value ? noteInput.value + "，" + text : text;
            noteInput.focus();
          },
          text: text,
        });
      })
    );
    const message = h("div", { class: "form-message" });
    const confirm = h("button", { type: "submit", class: ["btn", "btn-" + action, "btn-primary"], dataset: { test: "confirm" } }, Anxin.t("action.confirm." + action));
    const back = h("button", {
      type: "button",
      class: "btn btn-plain",
      dataset: { test: "back" },
      onclick: function () {
        clear(slot);
        slot.classList.remove("open");
      },
      text: Anxin.t("action.back"),
    });
    const form = h(
      "form",
      { class: ["action-form", "action-" + action], dataset: { test: "action-form", action: action } },
      byInput,
      noteInput,
      presets,
      h("div", { class: "form-buttons" }, confirm, back),
      message
    );
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const body = { note: noteInput.value.trim() };
      if (byInput) {
        body.by = byInput.value.trim();
        try {
          localStorage.setItem("anxin.by", body.by);
        } catch (e) {
          /* ignore */
        }
      }
      confirm.disabled = true;
      confirm.textContent = Anxin.t("action.busy");
      Anxin.api("POST", "/api/v1/alerts/" + encodeURIComponent(alert.id) + "/" + action, body)
        .then(function (answer) {
          clear(slot);
          slot.classList.remove("open");
          if (answer && answer.alert) onDone(answer.alert);
        })
        .catch(function (err) {
          confirm.disabled = false;
          confirm.textContent = Anxin.t("action.confirm." + action);
          clear(message).appendChild(notice("error", Anxin.errorText(err), "action-error"));
        });
    });
    slot.appendChild(form);
    slot.classList.add("open");
    noteInput.focus();
  }

  /** The ack / resolve / cancel buttons for an alert; they open the inline form in `slot`. */
  function actionButtons(alert, slot, onDone) {
    const buttons = [];
    const canAct = Anxin.canAct();
    if (!canAct || alert.state === "resolved") return h("div", { class: "actions" });
    if (alert.state === "open") buttons.push(["ack", "btn-ack"]);
    buttons.push(["resolve", "btn-resolve"]);
    if (alert.incident) buttons.push(["cancel", "btn-cancel"]);
    return h(
      "div",
      { class: "actions" },
      buttons.map(function (b) {
        return h("button", {
          type: "button",
          class: ["btn", b[1]],
          dataset: { test: b[0] },
          onclick: function (ev) {
            ev.preventDefault();
            ev.stopPropagation();
            actionForm(slot, alert, b[0], onDone);
          },
          text: Anxin.t("action." + b[0]),
        });
      })
    );
  }

  /** Limits the chart draws dashed (the shipped rules' thresholds, SPEC section 6). */
  const chartLimits = {
    heart_rate: [40, 131],
    systolic: [90, 180],
    diastolic: [110],
    spo2: [91],
  };

  /**
   * A small SVG line chart of readings [{value, at}] over the last 24 h ending at `now`.
   * Non-numeric values (booleans) are drawn as 0/1 steps.
   */
  function trendChart(kind, readings, now) {
    const W = 300;
    const H = 72;
    const padY = 6;
    const start = now - 24 * 3600 * 1000;
    const points = [];
    for (const r of readings) {
      const at = Anxin.parseTime(r.at);
      let v = r.value;
      if (typeof v === "boolean") v = v ? 1 : 0;
      if (at === null || typeof v !== "number" || !isFinite(v) || at < start) continue;
      points.push([at, v]);
    }
    points.sort(function (a, b) {
      return a[0] - b[0];
    });
    const svg = s("svg", {
      class: "trend",
      viewBox: "0 0 " + W + " " + H,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": Anxin.term("kind", kind),
      "data-test": "trend-" + kind,
      "data-points": points.length,
    });
    // Hour grid every 6 h.
    for (let i = 1; i < 4; i++) {
      const x = (W * i) / 4;
      svg.appendChild(s("line", { class: "grid", x1: x, x2: x, y1: 0, y2: H }));
    }
    if (points.length === 0) {
      svg.appendChild(s("text", { class: "chart-empty", x: W / 2, y: H / 2 + 4, "text-anchor": "middle", text: Anxin.t("chart.no_data") }));
      return { svg: svg, min: null, max: null };
    }
    let min = Infinity;
    let max = -Infinity;
    for (const p of points) {
      if (p[1] < min) min = p[1];
      if (p[1] > max) max = p[1];
    }
    let lo = min;
    let hi = max;
    const limits = chartLimits[kind] || [];
    for (const l of limits) {
      if (l >= lo - (hi - lo + 10) && l <= hi + (hi - lo + 10)) {
        lo = Math.min(lo, l);
        hi = Math.max(hi, l);
      }
    }
    if (hi - lo < 1e-9) {
      lo -= 1;
      hi += 1;
    }
    const span = hi - lo;
    lo -= span * 0.08;
    hi += span * 0.08;
    const x = function (t) {
      return ((t - start) / (now - start)) * W;
    };
    const y = function (v) {
      return padY + (1 - (v - lo) / (hi - lo)) * (H - 2 * padY);
    };
    for (const l of limits) {
      if (l < lo || l > hi) continue;
      svg.appendChild(s("line", { class: "limit", x1: 0, x2: W, y1: y(l).toFixed(1), y2: y(l).toFixed(1) }));
    }
    // Break the line where readings stop for much longer than their usual interval (and at
    // least 30 min); a reading alone between breaks is drawn as a dot.
    const gaps = [];
    for (let i = 1; i < points.length; i++) gaps.push(points[i][0] - points[i - 1][0]);
    gaps.sort(function (a, b) {
      return a - b;
    });
    const usual = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 0;
    const breakAfter = Math.max(30 * 60 * 1000, 3 * usual);
    let d = "";
    let run = [];
    const flush = function () {
      if (run.length === 1) {
        svg.appendChild(s("circle", { class: "dot", cx: x(run[0][0]).toFixed(1), cy: y(run[0][1]).toFixed(1), r: 1.8 }));
      } else if (run.length > 1) {
        d += run
          .map(function (p, i) {
            return (i === 0 ? "M" : "L") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1);
          })
          .join(" ") + " ";
      }
      run = [];
    };
    for (const p of points) {
      if (run.length && p[0] - run[run.length - 1][0] > breakAfter) flush();
      run.push(p);
    }
    flush();
    if (d) svg.appendChild(s("path", { class: "line", d: d.trim(), "vector-effect": "non-scaling-stroke" }));
    const last = points[points.length - 1];
    svg.appendChild(s("circle", { class: "last", cx: x(last[0]).toFixed(1), cy: y(last[1]).toFixed(1), r: 3 }));
    return { svg: svg, min: min, max: max };
  }

  /** Great-circle distance in metres between two WGS-84 points. */
  function distanceMetres(lat1, lon1, lat2, lon2) {
    const R = 6371008.8;
    const rad = Math.PI / 180;
    const dLat = (lat2 - lat1) * rad;
    const dLon = (lon2 - lon1) * rad;
    const a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /**
   * A simple SVG sketch: the home zone as a circle around the home, the last fix as a dot, a
   * line between them, a scale bar. Returns {svg, distance, inside}.
   */
  function locationMap(zone, fix) {
    const W = 320;
    const H = 220;
    const svg = s("svg", { class: "map", viewBox: "0 0 " + W + " " + H, role: "img", "data-test": "location-map" });
    const cx = W / 2;
    const cy = H / 2;
    const centre = zone || fix;
    const rad = Math.PI / 180;
    // Local east/north metres from the centre.
    const toXY = function (p) {
      const east = (p.lon - centre.lon) * rad * 6371008.8 * Math.cos(centre.lat * rad);
      const north = (p.lat - centre.lat) * rad * 6371008.8;
      return [east, north];
    };
    let extent = zone ? zone.radius_m * 1.4 : 200;
    let fixXY = null;
    if (fix) {
      fixXY = toXY(fix);
      extent = Math.max(extent, Math.abs(fixXY[1]) * 1.15, Math.abs(fixXY[0]) * 1.15 * (H / W));
    }
    const scale = (Math.min(W, H) / 2 - 14) / extent; // px per metre
    svg.appendChild(s("rect", { class: "map-bg", x: 0, y: 0, width: W, height: H, rx: 8 }));
    // A faint 100 m grid (or coarser when zoomed out).
    let step = 100;
    while (step * scale < 28) step *= 2;
    for (let gx = cx % (step * scale); gx < W; gx += step * scale) svg.appendChild(s("line", { class: "map-grid", x1: gx.toFixed(1), x2: gx.toFixed(1), y1: 0, y2: H }));
    for (let gy = cy % (step * scale); gy < H; gy += step * scale) svg.appendChild(s("line", { class: "map-grid", x1: 0, x2: W, y1: gy.toFixed(1), y2: gy.toFixed(1) }));
    let distance = null;
    let inside = null;
    if (zone) {
      svg.appendChild(s("circle", { class: "zone", cx: cx, cy: cy, r: (zone.radius_m * scale).toFixed(1), "data-test": "home-zone" }));
      svg.appendChild(s("path", { class: "home", d: "M" + (cx - 7) + " " + (cy + 1) + " L" + cx + " " + (cy - 7) + " L" + (cx + 7) + " " + (cy + 1) + " V" + (cy + 7) + " H" + (cx - 7) + " Z" }));
    }
    if (fix && fixXY) {
      const fx = cx + fixXY[0] * scale;
      const fy = cy - fixXY[1] * scale;
      if (zone) {
        distance = distanceMetres(zone.lat, zone.lon, fix.lat, fix.lon);
        inside = distance <= zone.radius_m;
        svg.appendChild(s("line", { class: "to-fix", x1: cx, y1: cy, x2: fx.toFixed(1), y2: fy.toFixed(1) }));
      }
      svg.appendChild(s("circle", { class: inside === false ? "fix fix-out" : "fix", cx: fx.toFixed(1), cy: fy.toFixed(1), r: 7, "data-test": "fix" }));
    }
    // Scale bar.
    const barPx = step * scale;
    svg.appendChild(s("line", { class: "scale", x1: 12, x2: (12 + barPx).toFixed(1), y1: H - 14, y2: H - 14 }));
    svg.appendChild(s("text", { class: "scale-text", x: 12, y: H - 20, text: step + " m" }));
    svg.appendChild(s("text", { class: "north", x: W - 16, y: 22, "text-anchor": "middle", text: "N" }));
    svg.appendChild(s("path", { class: "north-arrow", d: "M" + (W - 16) + " 28 l-5 12 h10 z" }));
    return { svg: svg, distance: distance, inside: inside };
  }

  Anxin.ui = {
    h: h,
    s: s,
    clear: clear,
    since: since,
    ago: ago,
    notice: notice,
    actionForm: actionForm,
    actionButtons: actionButtons,
    trendChart: trendChart,
    locationMap: locationMap,
    distanceMetres: distanceMetres,
  };
})();
