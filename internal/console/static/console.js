// Stagecoach console: turns the server-rendered forms into calls of the
// API Gateway REST API (the same routes the AWS CLI uses) and shows the
// API's error messages inline. No framework, no build step.
"use strict";

(function () {
  // ---- small helpers -------------------------------------------------

  function $$(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  // JSON-pointer escaping of one map key inside a patch path.
  function pointerEscape(s) { return s.replace(/~/g, "~0").replace(/\//g, "~1"); }

  function showError(form, msg) {
    var el = form.querySelector(".form-error");
    if (!el) { alert(msg); return; }
    el.textContent = msg;
    el.hidden = !msg;
  }

  // The flash survives the reload that shows the saved state.
  function flash(msg) { try { sessionStorage.setItem("stagecoach.flash", msg); } catch (e) { } }

  function showFlash() {
    var msg = null;
    try { msg = sessionStorage.getItem("stagecoach.flash"); sessionStorage.removeItem("stagecoach.flash"); } catch (e) { }
    var el = document.getElementById("flash");
    if (msg && el) { el.textContent = msg; el.hidden = false; }
  }

  // csrfHeaders adds the console session's CSRF token (serve
  // --credentials) that the gateway requires on every mutation.
  function csrfHeaders(h) {
    var m = document.querySelector('meta[name="stagecoach-csrf"]');
    if (m) h["X-Stagecoach-Csrf"] = m.getAttribute("content");
    return h;
  }

  // call sends one request to the REST API and resolves to the parsed body,
  // or rejects with the API's own "message".
  function call(method, url, body) {
    var init = { method: method, headers: csrfHeaders({ "Accept": "application/json" }) };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
        if (!res.ok) {
          var msg = data && (data.message || data.Message);
          throw new Error(msg || ("Request failed: " + res.status + " " + res.statusText));
        }
        return data;
      });
    });
  }

  // ---- reading form controls ------------------------------------------

  // Current and initial (server-rendered) value of a control, as the
  // string a patch operation carries.
  function current(el) {
    var v = el.type === "checkbox" ? (el.checked ? "true" : "false") : el.value.trim();
    return offUnless(el, v, false);
  }

  function initial(el) {
    var v;
    if (el.type === "checkbox") v = el.defaultChecked ? "true" : "false";
    else if (el.tagName === "SELECT") {
      var opts = $$(el, "option"), sel = opts.filter(function (o) { return o.defaultSelected; })[0] || opts[0];
      v = sel ? sel.value : "";
    } else v = el.defaultValue.trim();
    return offUnless(el, v, true);
  }

  // A log level select whose "Enable CloudWatch Logs" box is clear means OFF.
  function offUnless(el, v, useDefault) {
    var id = el.getAttribute("data-off-unless");
    if (!id) return v;
    var box = document.getElementById(id);
    var on = box && (useDefault ? box.defaultChecked : box.checked);
    return on ? v : "OFF";
  }

  function inside(el, container) { return container && container.contains(el); }

  // validate checks the limits a control declares before anything is sent.
  function validate(form) {
    var bad = null;
    $$(form, "[data-max]").forEach(function (el) {
      if (bad || el.matches(":disabled")) return;
      var v = el.value.trim();
      if (v !== "" && Number(v) > Number(el.getAttribute("data-max"))) {
        bad = el.getAttribute("data-max-msg") || "Value is too large.";
        el.setAttribute("aria-invalid", "true");
        el.focus();
      } else el.removeAttribute("aria-invalid");
    });
    return bad;
  }

  // patchOps builds the one list of patch operations a form stands for:
  // every control whose value differs from what the page was rendered
  // with, override/enable boxes that add or remove a whole entry, key/value
  // rows, and fixed operations (promotion, removal).
  function patchOps(form) {
    var ops = [];
    var forceAll = form.hasAttribute("data-force-all");
    var skip = [], force = [];
    $$(form, "input[type=checkbox][data-controls]").forEach(function (box) {
      var target = document.getElementById(box.getAttribute("data-controls"));
      if (!box.checked) {
        skip.push(target);
        if (box.defaultChecked && box.getAttribute("data-remove-op")) ops.push(JSON.parse(box.getAttribute("data-remove-op")));
      } else if (!box.defaultChecked) {
        force.push(target);
      }
    });
    $$(form, "[data-path]").forEach(function (el) {
      if (skip.some(function (c) { return inside(el, c); })) return;
      var row = el.closest("tr[data-kv-existing]");
      if (row && row.querySelector("[data-kv-remove]:checked")) return;
      var forced = forceAll || force.some(function (c) { return inside(el, c); });
      var v = current(el);
      if (!forced && v === initial(el)) return;
      el.getAttribute("data-path").split(/\s+/).forEach(function (p) {
        if (p) ops.push({ op: "replace", path: p, value: v });
      });
    });
    $$(form, "[data-op]").forEach(function (el) {
      if (el.type === "checkbox" && !el.checked) return;
      ops.push(JSON.parse(el.getAttribute("data-op")));
    });
    $$(form, "tbody[data-kv-prefix]").forEach(function (body) {
      var prefix = body.getAttribute("data-kv-prefix");
      if (!prefix) return;
      $$(body, "tr[data-kv-new]").forEach(function (tr) {
        var k = tr.querySelector("[data-kv-key]").value.trim();
        var v = tr.querySelector("[data-kv-value]").value.trim();
        if (k) ops.push({ op: "replace", path: prefix + pointerEscape(k), value: v });
      });
    });
    return ops;
  }

  // ---- form actions ----------------------------------------------------

  function done(form) {
    var msg = form.getAttribute("data-flash");
    if (msg) flash(msg);
    var next = form.getAttribute("data-redirect");
    if (next) location.assign(next); else location.reload();
  }

  // lines parses "k<sep>v" lines into an object (test-invoke's headers
  // and stage variables).
  function lines(text, sep) {
    var out = {};
    text.split("\n").forEach(function (l) {
      var i = l.indexOf(sep);
      if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
    });
    return out;
  }

  var actions = {
    // test-invoke-method: shows the result in the form instead of
    // reloading the page (it returns no promise to onSubmit).
    "test-invoke": function (form) {
      var f = form.elements, button = form.querySelector("button[type=submit]");
      var result = form.querySelector(".test-result");
      var body = { pathWithQueryString: f.pathWithQueryString.value, body: f.body.value,
        headers: lines(f.headers.value, ":"), stageVariables: lines(f.stageVariables.value, "=") };
      button.disabled = true;
      call("POST", form.getAttribute("data-url"), body).then(function (out) {
        var show = function (k, v) { form.querySelector('[data-result="' + k + '"]').textContent = v; };
        show("status", String(out.status));
        show("latency", String(out.latency));
        show("body", out.body || "");
        show("headers", Object.keys(out.headers || {}).sort().map(function (k) { return k + ": " + out.headers[k]; }).join("\n"));
        show("log", out.log || "");
        result.hidden = false;
      }, function (err) { showError(form, err.message); }).then(function () { button.disabled = false; });
      return null;
    },

    // One PATCH with every changed operation.
    patch: function (form) {
      var ops = patchOps(form);
      if (!ops.length) { showError(form, "There are no changes to save."); return null; }
      return call("PATCH", form.getAttribute("data-url"), { patchOperations: ops });
    },

    "create-stage": function (form) {
      var body = {};
      $$(form, "[data-field]").forEach(function (el) {
        var v = el.value.trim();
        if (v !== "") body[el.getAttribute("data-field")] = v;
      });
      var redirect = form.getAttribute("data-redirect");
      if (redirect) form.setAttribute("data-redirect", redirect.replace("{stageName}", encodeURIComponent(body.stageName || "")));
      return call("POST", form.getAttribute("data-url"), body).catch(function (err) {
        if (redirect) form.setAttribute("data-redirect", redirect);
        throw err;
      });
    },

    "delete": function (form) {
      return call("DELETE", form.getAttribute("data-url"));
    },

    // TagResource for new and changed tags, UntagResource for removed ones.
    tags: function (form) {
      var url = "/tags/" + encodeURIComponent(form.getAttribute("data-arn"));
      var put = {}, nput = 0, drop = [];
      $$(form, "tr[data-kv-existing]").forEach(function (tr) {
        var key = tr.getAttribute("data-kv-existing");
        var val = tr.querySelector("[data-kv-value]");
        if (tr.querySelector("[data-kv-remove]:checked")) drop.push(key);
        else if (val.value !== val.defaultValue) { put[key] = val.value; nput++; }
      });
      $$(form, "tr[data-kv-new]").forEach(function (tr) {
        var k = tr.querySelector("[data-kv-key]").value.trim();
        if (k) { put[k] = tr.querySelector("[data-kv-value]").value; nput++; }
      });
      if (!nput && !drop.length) { showError(form, "There are no changes to save."); return null; }
      var p = nput ? call("PUT", url, { tags: put }) : Promise.resolve();
      return p.then(function () {
        if (!drop.length) return null;
        return call("DELETE", url + "?" + drop.map(function (k) { return "tagKeys=" + encodeURIComponent(k); }).join("&"));
      });
    }
  };

  function onSubmit(ev) {
    var form = ev.target;
    var act = actions[form.getAttribute("data-action")];
    if (!act) return;
    ev.preventDefault();
    showError(form, "");
    var bad = validate(form);
    if (bad) { showError(form, bad); return; }
    var p = act(form);
    if (!p) return;
    var buttons = $$(form, "button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    p.then(function () { done(form); }, function (err) {
      showError(form, err.message);
      buttons.forEach(function (b) { b.disabled = false; });
      form.removeAttribute("aria-busy");
    });
  }

  // ---- page behaviour -------------------------------------------------

  var uid = 0;

  function onClick(ev) {
    var t = ev.target.closest("button, [data-copy]");
    if (!t) return;
    if (t.hasAttribute("data-dialog")) {
      var dlg = document.getElementById(t.getAttribute("data-dialog"));
      if (dlg && dlg.showModal) dlg.showModal();
    } else if (t.hasAttribute("data-close")) {
      var d = t.closest("dialog");
      if (d) d.close();
    } else if (t.hasAttribute("data-copy")) {
      copy(document.getElementById(t.getAttribute("data-copy")), t);
    } else if (t.hasAttribute("data-preset")) {
      var area = document.getElementById(t.getAttribute("data-preset"));
      area.value = t.getAttribute("data-format");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (t.hasAttribute("data-kv-add")) {
      var kind = t.getAttribute("data-kv-add");
      var tpl = document.getElementById(kind + "-row");
      var row = tpl.content.firstElementChild.cloneNode(true);
      var n = ++uid;
      $$(row, "[data-id]").forEach(function (el) { el.id = kind + "-new-" + el.getAttribute("data-id") + "-" + n; });
      $$(row, "label[data-for]").forEach(function (l) { l.htmlFor = kind + "-new-" + l.getAttribute("data-for") + "-" + n; });
      var body = t.closest("form").querySelector("tbody[data-kv-kind=" + kind + "]");
      body.appendChild(row);
      row.querySelector("input").focus();
    } else if (t.hasAttribute("data-kv-drop")) {
      t.closest("tr").remove();
    }
  }

  function copy(input, button) {
    var text = input.value;
    var ok = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(ok, function () { fallback(); });
    } else fallback();
    function fallback() {
      input.focus();
      input.select();
      try { document.execCommand("copy"); ok(); } catch (e) { }
    }
  }

  // Boxes with data-controls enable the fieldset they govern.
  function onChange(ev) {
    var box = ev.target;
    if (box.matches && box.matches("input[type=checkbox][data-controls]")) {
      var target = document.getElementById(box.getAttribute("data-controls"));
      if (target) target.disabled = !box.checked;
    }
  }

  // ---- live log tail ---------------------------------------------------
  // FilterLogEvents through the CloudWatch Logs API (awsJson1_1), the call
  // `aws logs tail --follow` makes: every two seconds, events from the last
  // hour, then only newer ones (deduplicated by event id).

  function logsCall(op, body) {
    return fetch("/", {
      method: "POST",
      headers: csrfHeaders({ "X-Amz-Target": "Logs_20140328." + op, "Content-Type": "application/x-amz-json-1.1" }),
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        if (!res.ok) {
          var err = new Error((data && (data.message || data.Message)) || (res.status + " " + res.statusText));
          err.type = data && data.__type;
          err.status = res.status;
          throw err;
        }
        return data || {};
      });
    });
  }

  function startTail(pre) {
    var group = pre.getAttribute("data-log-group");
    var since = Date.now() - 3600 * 1000;
    var seen = {};
    var count = 0;
    var status = document.createElement("p");
    status.className = "muted small tail-status";
    status.setAttribute("role", "status");
    pre.parentNode.insertBefore(status, pre.nextSibling);
    status.textContent = "Waiting for log events…";

    function append(ev) {
      var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.appendChild(document.createTextNode(new Date(ev.timestamp).toISOString() + " " + ev.message.replace(/\n$/, "") + "\n"));
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }

    function poll(token) {
      var body = { logGroupName: group, startTime: since, limit: 500 };
      if (token) body.nextToken = token;
      logsCall("FilterLogEvents", body).then(function (out) {
        (out.events || []).forEach(function (ev) {
          if (seen[ev.eventId]) return;
          seen[ev.eventId] = true;
          count++;
          append(ev);
          if (ev.timestamp > since) since = ev.timestamp;
        });
        if (count) status.textContent = count + " events · following";
        if (out.nextToken) poll(out.nextToken); else later();
      }, function (err) {
        if (err.type === "ResourceNotFoundException") status.textContent = "No events yet: log group " + group + " does not exist until the stage writes to it.";
        else if (err.status === 404 && !err.type) status.textContent = "This gateway does not serve the CloudWatch Logs API, so its logs cannot be shown here.";
        else status.textContent = "Cannot read logs: " + err.message;
        later();
      });
    }
    function later() { setTimeout(function () { poll(); }, 2000); }
    poll();
  }

  // The dashboard's server-drawn charts are re-read from the page itself.
  function refreshCharts(box) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(location.href, { headers: { "Accept": "text/html" } }).then(function (res) {
        return res.ok ? res.text() : null;
      }).then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById(box.id);
        if (fresh) box.innerHTML = fresh.innerHTML;
      }, function () { });
    }, Number(box.getAttribute("data-refresh")) * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $$(document, "pre[data-log-group]").forEach(startTail);
    $$(document, "[data-refresh]").forEach(refreshCharts);
  });

  document.addEventListener("submit", onSubmit);
  document.addEventListener("click", onClick);
  document.addEventListener("change", onChange);
  document.addEventListener("DOMContentLoaded", showFlash);
})();
