// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="...">.
  document.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    var msg = (btn && btn.getAttribute("data-confirm")) || ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
  // Put the cursor on the first field in error, or the first field of a form
  // marked data-autofocus, so keyboard users can type at once.
  document.addEventListener("DOMContentLoaded", function () {
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) {
      bad.focus();
      return;
    }
    var first = document.querySelector("form[data-autofocus] input:not([type=hidden]), .card.narrow form input:not([type=hidden])");
    if (first) {
      first.focus();
    }
  });
})();

// Hotline console: suggest enterprises as the operator types (Up/Down to
// choose, Enter to pick, Escape to close), fill the form from the pick and
// list the caller's recent tickets. Ctrl+Enter saves a form marked
// data-ctrl-enter. Without this, the search is a plain GET form.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey)) {
      return;
    }
    var form = ev.target.form || (ev.target.closest && ev.target.closest("form"));
    if (form && form.hasAttribute("data-ctrl-enter")) {
      ev.preventDefault();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}).then(function (r) {
      return r.ok ? r.json() : {items: []};
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("console-q");
    var list = document.getElementById("console-suggest");
    var form = document.getElementById("console-form");
    var aside = document.getElementById("recent");
    if (!input || !list || !form || !aside) {
      return;
    }
    var items = [], active = -1, timer = 0, seq = 0, picking = false;

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      var li = list.children[i];
      if (li) {
        input.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({block: "nearest"});
      }
    }
    function show(found) {
      items = found;
      list.textContent = "";
      if (!items.length) {
        close();
        return;
      }
      items.forEach(function (it, i) {
        var li = el("li");
        li.id = "suggest-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("strong", "", it.name));
        li.appendChild(el("span", "muted", [it.uscc, it.region_name, it.contact_name, it.contact_phone].filter(Boolean).join(" · ")));
        li.addEventListener("mousedown", function (ev) {
          ev.preventDefault();
          pick(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function search() {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 2) {
        close();
        return;
      }
      getJSON(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q)).then(function (d) {
        if (mine === seq) {
          show(d.items || []);
        }
      }, close);
    }
    function set(name, v) {
      var f = form.elements[name];
      if (f && v) {
        f.value = v;
      }
    }
    function recent(uscc, label) {
      getJSON(aside.getAttribute("data-recent") + "?uscc=" + encodeURIComponent(uscc)).then(function (d) {
        var ul = document.getElementById("recent-list");
        document.getElementById("recent-who").textContent = label;
        ul.textContent = "";
        (d.items || []).forEach(function (t) {
          var li = el("li"), a = el("a", "", t.number);
          a.href = t.url;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", "badge status-" + t.status, t.status_label));
          li.appendChild(el("br"));
          li.appendChild(document.createTextNode(t.title + " "));
          li.appendChild(el("span", "muted", t.created_at));
          ul.appendChild(li);
        });
        document.getElementById("recent-empty").hidden = ul.children.length > 0;
      });
    }
    function pick(i) {
      var it = items[i];
      if (!it) {
        return;
      }
      set("enterprise_uscc", it.uscc);
      set("enterprise_name", it.name);
      set("contact_name", it.contact_name);
      Array.prototype.forEach.call(form.elements.region_code.options, function (o) {
        if (o.value === it.region_code) {
          form.elements.region_code.value = it.region_code;
        }
      });
      form.elements.contact_phone.placeholder = it.contact_phone || "";
      input.value = it.name;
      close();
      recent(it.uscc, it.name + " " + it.uscc);
      (form.querySelector("input[name=category]:checked") || form.querySelector("input[name=category]")).focus();
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden, n = items.length;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!open) {
          search();
        } else {
          var down = ev.key === "ArrowDown";
          mark(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
        }
      } else if (ev.key === "Enter" && open && !ev.isComposing && ev.keyCode !== 229) {
        // Picked on keyup, so that nothing of this key press reaches the
        // field the pick moves to (an IME's Enter only ends composing).
        ev.preventDefault();
        picking = true;
      } else if (ev.key === "Escape" && open) {
        ev.preventDefault();
        close();
      }
    });
    input.addEventListener("keypress", function (ev) {
      if (ev.key === "Enter" && (picking || !list.hidden)) {
        ev.preventDefault();
      }
    });
    input.addEventListener("keyup", function (ev) {
      if (ev.key === "Enter" && picking) {
        picking = false;
        pick(active < 0 ? 0 : active);
      }
    });
    input.addEventListener("blur", close);
    form.elements.enterprise_uscc.addEventListener("change", function () {
      var code = this.value.trim().toUpperCase();
      if (code.length === 18) {
        recent(code, code);
      }
    });
  });
})();

// Enterprise picker of the record form: an input marked data-pick suggests
// enterprises as one types (Up/Down to choose, Enter to pick, Escape to
// close) and fills the credit code input data-pick-target, shows the name
// in data-pick-label and moves on to data-pick-next. Without this, the
// search is a plain GET form.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-pick]");
    if (!input) {
      return;
    }
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var target = document.getElementById(input.getAttribute("data-pick-target"));
    var label = document.getElementById(input.getAttribute("data-pick-label"));
    var next = document.getElementById(input.getAttribute("data-pick-next"));
    if (!list || !target) {
      return;
    }
    var items = [], active = -1, timer = 0, seq = 0, picking = false;

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      var li = list.children[i];
      if (li) {
        input.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({block: "nearest"});
      }
    }
    function option(it, i) {
      var li = document.createElement("li"), name = document.createElement("strong"), more = document.createElement("span");
      li.id = "pick-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      name.textContent = it.name;
      more.className = "muted";
      more.textContent = [it.uscc, it.region_name].filter(Boolean).join(" · ");
      li.appendChild(name);
      li.appendChild(more);
      li.addEventListener("mousedown", function (ev) {
        ev.preventDefault();
        pick(i);
      });
      return li;
    }
    function show(found) {
      items = found;
      list.textContent = "";
      if (!items.length) {
        close();
        return;
      }
      items.forEach(function (it, i) {
        list.appendChild(option(it, i));
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function search() {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 2) {
        close();
        return;
      }
      fetch(input.getAttribute("data-pick") + "?q=" + encodeURIComponent(q), {credentials: "same-origin",
        headers: {Accept: "application/json"}}).then(function (r) {
        return r.ok ? r.json() : {items: []};
      }).then(function (d) {
        if (mine === seq) {
          show(d.items || []);
        }
      }, close);
    }
    function pick(i) {
      var it = items[i];
      if (!it) {
        return;
      }
      target.value = it.uscc;
      if (label) {
        label.textContent = it.name;
      }
      input.value = it.name;
      close();
      var to = next;
      if (to && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(to.tagName)) {
        to = to.querySelector("input:checked") || to.querySelector("input, select, textarea");
      }
      (to || target).focus();
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden, n = items.length;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!open) {
          search();
        } else {
          var down = ev.key === "ArrowDown";
          mark(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
        }
      } else if (ev.key === "Enter" && open && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        picking = true;
      } else if (ev.key === "Escape" && open) {
        ev.preventDefault();
        close();
      }
    });
    input.addEventListener("keypress", function (ev) {
      if (ev.key === "Enter" && (picking || !list.hidden)) {
        ev.preventDefault();
      }
    });
    input.addEventListener("keyup", function (ev) {
      if (ev.key === "Enter" && picking) {
        picking = false;
        pick(active < 0 ? 0 : active);
      }
    });
    input.addEventListener("blur", close);
  });
})();
