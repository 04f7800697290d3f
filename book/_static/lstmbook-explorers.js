/* lstmbook website: the kernel-free explorers (built by lstmbook/web.py; see its docstring).
 *
 * Each <figure data-lstmbook-explorer> holds its data as <script type="application/json">.
 * This script adds labelled controls to it and, as they move,
 *  - "frames": shows the precomputed frame of the setting (image, alt text, summary);
 *  - "script": runs the named JavaScript port (PROGRAMS below) and draws it as SVG.
 * The status line (aria-live="polite") says the setting and the summary. Loaded (deferred) only
 * on pages with an explorer (book/_ext/lstmbook_site.py); running it twice changes nothing.
 * window.lstmbookExplorers.compute(program, data, setting) runs a port alone (the site tests
 * compare it with the package).
 */
(function () {
  "use strict";
  if (window.lstmbookExplorers) { window.lstmbookExplorers.initAll(); return; }
  var SVG = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ Python-style numbers
  // f"{x:.{d}f}": like toFixed, but exact ties go to the even digit and -0 keeps its sign.
  function fixed(x, d) {
    var neg = x < 0 || Object.is(x, -0), a = Math.abs(x), out = a.toFixed(d);
    var exact = a.toFixed(Math.min(100, d + 60));  // the double's own digits
    var dot = exact.indexOf("."), keep = exact.slice(0, d ? dot + 1 + d : dot);
    if (/^50*$/.test(exact.slice(dot + 1 + d)) && Number(keep.slice(-1)) % 2 === 0) {
      out = keep;  // a tie above an even digit: Python keeps it (round half to even)
    }
    return (neg ? "-" : "") + out;
  }
  function signed(x, d) { return (x < 0 || Object.is(x, -0) ? "" : "+") + fixed(x, d); }
  function general(x) { return String(Number(x.toPrecision(6))); }  // f"{x:g}" for the sliders
  // The reader's language: spec.strings maps each English template of this file to its
  // translation (lstmbook.web.PAGE_STRINGS, from lstmbook's message catalogue); %1, %2, ...
  // are filled with args, in whatever order the translation puts them.
  // spec.punctuation: how the language joins a setting's parts and sentences
  // (lstmbook.messages.PUNCTUATION); English when the data carries none.
  var ENGLISH = {pair: ": ", list: "; ", stop: ".", space: " "}, STRINGS = {}, P = ENGLISH;
  function t(template, args) {
    var s = Object.prototype.hasOwnProperty.call(STRINGS, template) ? STRINGS[template] : template;
    return s.replace(/%(\d+)/g, function (m, k) { return String(args[Number(k) - 1]); });
  }

  function sigmoid(x) {  // lstmbook.nn.activations.sigmoid, the same formula
    var e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  // ------------------------------------------------------------------ a small SVG plotter
  function el(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function niceTicks(lo, hi, n) {
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    [1, 2, 2.5, 5, 10].some(function (m) {
      if ((hi - lo) / (m * step) <= n) { step = m * step; return true; }
      return false;
    });
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
      ticks.push(Math.abs(t) < 1e-12 ? 0 : t);
    }
    return ticks;
  }
  // One panel: box {x, y, w, h} in the SVG's pixels, domains [x0, x1] and [y0, y1].
  function Panel(svg, box, xd, yd, opts) {
    var g = el("g", {"class": "lstmbook-plot-panel"}, svg);
    var sx = function (x) { return box.x + (x - xd[0]) / (xd[1] - xd[0]) * box.w; };
    var sy = function (y) { return box.y + box.h - (y - yd[0]) / (yd[1] - yd[0]) * box.h; };
    niceTicks(yd[0], yd[1], opts.yticks || 5).forEach(function (t) {
      el("line", {x1: box.x, x2: box.x + box.w, y1: sy(t), y2: sy(t),
                  "class": t === 0 ? "zero" : "grid"}, g);
      el("text", {x: box.x - 6, y: sy(t) + 4, "text-anchor": "end"}, g, general(t));
    });
    niceTicks(xd[0], xd[1], opts.xticks || 8).forEach(function (t) {
      el("line", {x1: sx(t), x2: sx(t), y1: box.y + box.h, y2: box.y + box.h + 4,
                  "class": "tick"}, g);
      el("text", {x: sx(t), y: box.y + box.h + 17, "text-anchor": "middle"}, g, general(t));
    });
    el("rect", {x: box.x, y: box.y, width: box.w, height: box.h, "class": "frame"}, g);
    if (opts.title) {
      el("text", {x: box.x, y: box.y - 8, "class": "title"}, g, opts.title);
    }
    if (opts.xlabel) {
      el("text", {x: box.x + box.w / 2, y: box.y + box.h + 34, "text-anchor": "middle"}, g,
         opts.xlabel);
    }
    if (opts.ylabel) {
      var yx = box.x - 40, yy = box.y + box.h / 2;
      el("text", {x: yx, y: yy, "text-anchor": "middle",
                  transform: "rotate(-90 " + yx + " " + yy + ")"}, g, opts.ylabel);
    }
    var clipped = el("g", {}, g);
    var legend = [];
    function points(xs, ys, steps) {
      var pts = [];
      for (var k = 0; k < xs.length; k++) {
        if (ys[k] === null || !isFinite(ys[k])) { continue; }
        var y = Math.max(yd[0], Math.min(yd[1], ys[k]));
        if (steps) {  // matplotlib's drawstyle "steps-mid"
          var left = k ? (xs[k - 1] + xs[k]) / 2 : xs[k], right =
            k + 1 < xs.length ? (xs[k] + xs[k + 1]) / 2 : xs[k];
          pts.push(sx(left) + "," + sy(y), sx(right) + "," + sy(y));
        } else {
          pts.push(sx(xs[k]) + "," + sy(y));
        }
      }
      return pts.join(" ");
    }
    return {
      line: function (xs, ys, style) {
        el("polyline", {points: points(xs, ys, style.steps), fill: "none",
                        stroke: style.color, "stroke-width": style.width || 2,
                        "stroke-dasharray": style.dash || "none"}, clipped);
        if (style.marker) {
          xs.forEach(function (x, k) {
            if (ys[k] === null || !isFinite(ys[k])) { return; }
            el("circle", {cx: sx(x), cy: sy(ys[k]), r: 2.6, fill: style.color}, clipped);
          });
        }
        if (style.label) { legend.push(style); }
      },
      bars: function (xs, ys, style) {
        xs.forEach(function (x, k) {
          var y0 = sy(0), y1 = sy(ys[k]), w = (sx(1) - sx(0)) * 0.6;
          el("rect", {x: sx(x) - w / 2, y: Math.min(y0, y1), width: w,
                      height: Math.abs(y1 - y0), fill: style.color}, clipped);
        });
        if (style.label) { legend.push(Object.assign({bar: true}, style)); }
      },
      hline: function (y, style) {
        el("line", {x1: box.x, x2: box.x + box.w, y1: sy(y), y2: sy(y), stroke: style.color,
                    "stroke-dasharray": style.dash || "none", "stroke-width": 1}, clipped);
      },
      legend: function (corner) {
        var x = box.x + 8, y = corner === "top" ? box.y + 14 : box.y + box.h - 8 -
          16 * (legend.length - 1);
        var frame = el("rect", {x: x - 4, y: y - 12, height: 16 * legend.length + 2, width: 10,
                                rx: 3, "class": "legend-box"}, g), widest = 0;
        legend.forEach(function (s, k) {
          var yy = y + 16 * k;
          if (s.bar) {
            el("rect", {x: x, y: yy - 6, width: 18, height: 9, fill: s.color}, g);
          } else {
            el("line", {x1: x, x2: x + 18, y1: yy - 2, y2: yy - 2, stroke: s.color,
                        "stroke-width": s.width || 2, "stroke-dasharray": s.dash || "none"}, g);
          }
          var t = el("text", {x: x + 24, y: yy + 2, "class": "legend"}, g, s.label);
          widest = Math.max(widest, t.getComputedTextLength ? t.getComputedTextLength() : 120);
        });
        frame.setAttribute("width", widest + 34);
        return legend.length;
      },
      sx: sx, sy: sy
    };
  }
  function newSvg(host, width, height, label) {
    host.textContent = "";
    return el("svg", {viewBox: "0 0 " + width + " " + height, width: width, height: height,
                      role: "img", "aria-label": label, "class": "lstmbook-explorer-svg"}, host);
  }
  function range(a, b) { var r = []; for (var k = a; k <= b; k++) { r.push(k); } return r; }

  // ------------------------------------------------------------------ the ports
  var PROGRAMS = {};

  // Chapter 6: lstmbook.chapters.ch06_lstm_gates.gate_explorer_view (gate_schedule + run_cell).
  PROGRAMS["lstm-gates"] = {
    compute: function (data, s) {
      var T = data.T, wl = data.write_len, rl = data.read_len, k;
      var i = [], f = [], o = [], g = data.g.slice(), c = [], h = [], cPrev = data.c0;
      for (k = 1; k <= T; k++) {
        i.push(k >= s.write_at && k < s.write_at + wl ? 1 : 0);
        f.push(s.erase_at !== null && k === s.erase_at ? 0 : s.forget);
        o.push(s.read_at !== null && k >= s.read_at && k < s.read_at + rl ? 1 : 0);
      }
      for (k = 0; k < T; k++) {
        cPrev = f[k] * cPrev + i[k] * g[k];  // eq-lstm-cell
        c.push(cPrev);
        h.push(o[k] * Math.tanh(cPrev));     // eq-lstm-hidden
      }
      var wEnd = Math.min(s.write_at + wl - 1, T), stored = c[wEnd - 1];
      var read = s.read_at !== null ? h[s.read_at - 1] : 0, parts = [];
      if (wl === 1) {
        parts.push(t("The input gate opens at t = %1 and writes the candidate %2: the cell " +
                     "now holds c = %3.", [s.write_at, signed(g[s.write_at - 1], 3),
                                            signed(stored, 3)]));
      } else {
        parts.push(t("The input gate is open from t = %1 to t = %2 and adds every candidate " +
                     "offered: at t = %2 the cell holds c = %3.", [s.write_at, wEnd,
                                                                   signed(stored, 3)]));
      }
      if (s.forget === 1 && wEnd === T) {
        parts.push(t("The forget gate is at 1: nothing is erased, so the candidates pile up.",
                     []));
      } else if (s.forget === 1) {
        parts.push(t("The forget gate is at 1: while the input gate is shut, the content is " +
                     "kept unchanged.", []));
      } else {
        parts.push(t("The forget gate is at %1: the content shrinks by that factor at every " +
                     "step.", [fixed(s.forget, 2)]));
      }
      if (s.erase_at !== null) {
        parts.push(t("At t = %1 the forget gate drops to 0 and wipes the cell.", [s.erase_at]));
      }
      if (s.read_at !== null) {
        parts.push(t("The output gate opens at t = %1: h = o·tanh(c) = %2 (the cell holds " +
                     "c = %3 then).", [s.read_at, signed(read, 3), signed(c[s.read_at - 1], 3)]));
      }
      parts.push(t("After the last step c_%1 = %2.", [T, signed(c[T - 1], 3)]));
      return {i: i, f: f, o: o, g: g, c: c, h: h, c0: data.c0, stored: stored, read: read,
              summary: parts.join(P.space)};
    },
    draw: function (host, data, r, label) {
      var W = Math.max(320, Math.min(820, host.clientWidth || 820)), col = data.colors;
      var H = 470, left = 58, right = 12, w = W - left - right, T = data.T;
      var svg = newSvg(host, W, H, label), ts = range(1, T);
      var top = Panel(svg, {x: left, y: 26, w: w, h: 160}, [-0.4, T + 0.6], [-1.05, 1.15],
                      {title: t("gates and candidate", []), ylabel: t("openness / value", [])});
      top.bars(ts, r.g, {color: col.g, label: t("candidate g_t", [])});
      top.line(ts, r.f.map(function (v) { return v + 0.02; }),
               {color: col.f, steps: true, label: t("forget gate f_t", [])});
      top.line(ts, r.i, {color: col.i, steps: true, label: t("input gate i_t", [])});
      top.line(ts, r.o.map(function (v) { return v - 0.02; }),
               {color: col.o, steps: true, dash: "6 4", label: t("output gate o_t", [])});
      top.legend("bottom");
      var reach = Math.max(1, Math.max.apply(null, r.c.map(Math.abs)));
      var bottom = Panel(svg, {x: left, y: 236, w: w, h: 180}, [-0.4, T + 0.6],
                         [-1.05 * reach, 1.05 * reach],
                         {title: t("cell state and output", []), ylabel: t("state", []),
                          xlabel: t("time step t", [])});
      bottom.line(range(0, T), [r.c0].concat(r.c),
                  {color: col.c, marker: true, label: t("cell state c_t", [])});
      bottom.line(ts, r.h, {color: col.h, dash: "6 4", marker: true,
                            label: t("hidden output h_t", []), width: 1.5});
      bottom.legend("bottom");
    }
  };

  // Chapter 7: lstmbook.chapters.ch07_peephole.peephole_timing_view (one unit, H = 1, through
  // lstm_step: W = U = 0, biases (open_bias, open_bias, artanh(rate), b_o), peephole p_o).
  PROGRAMS["peephole-timing"] = {
    compute: function (data, s) {
      var T = data.T, c = [], o = [], h = [], cPrev = 0, fire = -1;
      var gi = sigmoid(data.open_bias), gf = sigmoid(data.open_bias);
      var g = Math.tanh(Math.atanh(s.rate));
      for (var k = 0; k < T; k++) {
        cPrev = gf * cPrev + gi * g;                 // eq-lstm-cell
        var ot = sigmoid(s.b_o + s.p_o * cPrev);     // eq-peephole: o looks at c_t
        c.push(cPrev); o.push(ot); h.push(ot * Math.tanh(cPrev));
        if (fire < 0 && ot >= 0.5) { fire = k; }
      }
      var when = fire >= 0 ? t("o_t passes 0.5 at step %1 (c_t = %2)", [fire, fixed(c[fire], 2)])
        : t("o_t never passes 0.5 (last o_t = %1)", [fixed(o[T - 1], 3)]);
      return {t: range(0, T - 1), c: c, o: o, h: h, fire_step: fire,
              summary: "p_o = " + general(s.p_o) + ", b_o = " + general(s.b_o) + P.pair + when};
    },
    draw: function (host, data, r, label) {
      var W = Math.max(320, Math.min(820, host.clientWidth || 820)), col = data.colors;
      var wide = W >= 640, pw = wide ? (W - 2 * 58 - 24) / 2 : W - 58 - 12;
      var H = wide ? 300 : 560, T = data.T;
      var top = Math.max(1, Math.max.apply(null, r.c));
      var svg = newSvg(host, W, H, label);
      var boxes = wide ? [{x: 58, y: 26, w: pw, h: 210}, {x: 58 * 2 + 24 + pw, y: 26, w: pw,
                                                          h: 210}]
        : [{x: 58, y: 26, w: pw, h: 200}, {x: 58, y: 306, w: pw, h: 200}];
      [[t("output gate o_t = σ(b_o + p_o c_t)", []), "o", t("output gate o_t", [])],
       [t("unit output h_t = o_t tanh(c_t)", []), "h", t("output h_t", [])]]
       .forEach(function (spec, k) {
        var p = Panel(svg, boxes[k], [-0.5, T - 0.5], [-0.05, 1.05 * top],
                      {title: spec[0], xlabel: t("time step t", []), ylabel: spec[2]});
        p.line(r.t, r.c, {color: col.c, dash: "6 4", width: 1.5, label: t("cell c_t", [])});
        p.line(r.t, r[spec[1]], {color: col[spec[1]], marker: true, label: spec[2]});
        if (spec[1] === "o") { p.hline(0.5, {color: col.ink, dash: "2 3"}); }
        p.legend("top");
      });
    }
  };

  // ------------------------------------------------------------------ controls
  function makeControls(fig, spec, onChange) {
    var group = document.createElement("div");
    group.className = "lstmbook-explorer-controls";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("Controls of the explorer", []));
    var inputs = spec.controls.map(function (c, n) {
      var row = document.createElement("div"), id = fig.id + "-" + c.name;
      row.className = "lstmbook-explorer-control";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = c.label;
      row.appendChild(label);
      var input;
      if (c.kind === "select") {
        input = document.createElement("select");
        c.texts.forEach(function (text, k) {
          var opt = document.createElement("option");
          opt.value = String(k);
          opt.textContent = text;
          input.appendChild(opt);
        });
        input.value = String(c.default);
        row.appendChild(input);
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.max = String(c.values.length - 1);
        input.step = "1";
        input.value = String(c.default);
        var out = document.createElement("output");
        out.htmlFor = id;
        out.setAttribute("aria-hidden", "true");  // the slider's aria-valuetext says it
        row.appendChild(input);
        row.appendChild(out);
      }
      input.id = id;
      input.name = c.name;
      input.dataset.control = String(n);
      group.appendChild(row);
      return input;
    });
    function indices() { return inputs.map(function (i) { return Number(i.value); }); }
    function sync() {
      inputs.forEach(function (input, n) {
        var c = spec.controls[n], text = c.texts[Number(input.value)];
        if (input.type === "range") {
          input.setAttribute("aria-valuetext", text);
          input.nextSibling.textContent = text;
        }
      });
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { sync(); onChange(indices()); });
      input.addEventListener("change", function () { sync(); onChange(indices()); });
    });
    sync();
    return {node: group, indices: indices};
  }
  function settingText(spec, idx) {
    return spec.controls.map(function (c, n) { return c.label + P.pair + c.texts[idx[n]]; })
      .join(P.list);
  }

  // ------------------------------------------------------------------ one explorer
  function init(fig) {
    if (fig.dataset.ready) { return; }
    var script = fig.querySelector("script.lstmbook-explorer-data");
    var img = fig.querySelector("img.lstmbook-explorer-image");
    var status = fig.querySelector(".lstmbook-explorer-status");
    if (!script || !img || !status) { return; }
    var spec = JSON.parse(script.textContent);
    STRINGS = spec.strings || {};
    P = spec.punctuation || ENGLISH;
    var last = null;
    fig.dataset.ready = "1";
    var update;
    if (spec.kind === "frames") {
      var images = spec.images.slice(), first = spec.frames[defaultIndex(spec)].image;
      images[first] = img.getAttribute("src");
      update = function (idx) {
        var k = frameIndex(spec, idx), frame = spec.frames[k];
        if (k === last) { return; }
        last = k;
        img.src = images[frame.image];
        img.width = spec.sizes[frame.image][0];
        img.height = spec.sizes[frame.image][1];
        img.alt = frame.alt;
        fig.dataset.frame = String(k);
        status.textContent = settingText(spec, idx) + P.stop + "\n" + frame.summary;
      };
    } else {
      var program = PROGRAMS[spec.program];
      if (!program) { return; }  // an unknown port: the still image stays
      var host = document.createElement("div");
      host.className = "lstmbook-explorer-drawing";
      img.parentNode.insertBefore(host, img);
      img.hidden = true;
      var current = null;
      var redraw = function () {
        if (!current) { return; }
        program.draw(host, spec.data, current.result, current.alt);
      };
      update = function (idx) {
        var setting = settingOf(spec, idx), result = program.compute(spec.data, setting);
        var shown = settingText(spec, idx);
        current = {result: result,
                   alt: spec.alt + P.space + t("Shown", []) + P.pair + shown + P.stop + P.space +
                        result.summary};
        fig.lstmbookResult = result;
        fig.dataset.setting = JSON.stringify(setting);
        redraw();
        status.textContent = shown + P.stop + "\n" + result.summary;
      };
      if (window.ResizeObserver) {
        var width = 0;
        new ResizeObserver(function () {
          if (Math.abs(host.clientWidth - width) > 8) { width = host.clientWidth; redraw(); }
        }).observe(host);
      }
    }
    var controls = makeControls(fig, spec, update);
    fig.insertBefore(controls.node, fig.firstChild);
    update(controls.indices());
  }
  function defaultIndex(spec) {
    return frameIndex(spec, spec.controls.map(function (c) { return c.default; }));
  }
  function frameIndex(spec, idx) {  // itertools.product order: the last control fastest
    return spec.controls.reduce(function (k, c, n) { return k * c.values.length + idx[n]; }, 0);
  }
  function settingOf(spec, idx) {
    var s = {};
    spec.controls.forEach(function (c, n) { s[c.name] = c.values[idx[n]]; });
    return s;
  }
  function initAll() {
    document.querySelectorAll("figure[data-lstmbook-explorer]").forEach(init);
  }

  window.lstmbookExplorers = {
    initAll: initAll,
    programs: PROGRAMS,
    compute: function (program, data, setting) { return PROGRAMS[program].compute(data, setting); },
    fixed: fixed
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
