// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Ask before destructive or final actions (forms marked data-confirm).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A single button (not the whole form) asks: "Lưu nháp" or "Tải lên" beside "Nộp bài" must not.
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Similar applied initiatives while the participant types the title and solution.
  var box = document.getElementById("similar-suggestions");
  if (box) {
    var url = box.getAttribute("data-url");
    var fields = ["title", "situation", "solution", "effect"].map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    var timer = null;
    var lastQuery = "";
    var render = function (items) {
      // What the author opened stays open when the list is redrawn as they type on.
      var opened = {};
      box.querySelectorAll("details[open]").forEach(function (d) { opened[d.getAttribute("data-id")] = true; });
      box.textContent = "";
      if (!items.length) { return; }
      var heading = document.createElement("h2");
      heading.className = "h6";
      heading.textContent = box.getAttribute("data-heading");
      box.appendChild(heading);
      var list = document.createElement("ul");
      list.className = "list-group mb-3";
      items.forEach(function (item) {
        // Each suggestion opens in place: the author reads the applied initiative without leaving the form.
        var li = document.createElement("li");
        li.className = "list-group-item";
        var details = document.createElement("details");
        details.setAttribute("data-id", String(item.id));
        details.open = !!opened[String(item.id)];
        var summary = document.createElement("summary");
        var title = document.createElement("strong");
        title.textContent = item.title;
        var badge = document.createElement("span");
        badge.className = "badge ms-1 " + (item.flag ? "text-bg-warning" : item.elsewhere ? "text-bg-light" : "text-bg-info");
        badge.textContent = box.getAttribute(item.flag ? "data-flag-label" : item.elsewhere ? "data-elsewhere-label" : "data-similar-label");
        summary.appendChild(title);
        summary.appendChild(badge);
        var body = document.createElement("p");
        body.className = "small mb-1 mt-2";
        body.textContent = item.summary || box.getAttribute("data-empty-summary");
        var meta = document.createElement("div");
        meta.className = "small text-muted";
        meta.textContent = item.meta;
        details.appendChild(summary);
        details.appendChild(body);
        details.appendChild(meta);
        li.appendChild(details);
        list.appendChild(li);
      });
      box.appendChild(list);
    };
    var sent = 0;
    var query = function () {
      var params = new URLSearchParams();
      fields.forEach(function (f) { params.append(f.id, f.value); });
      var q = params.toString();
      if (q === lastQuery) { return; }
      lastQuery = q;
      var mine = ++sent;  // an answer that arrives after a newer request's is dropped
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + q, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { matches: [] }; })
        .then(function (data) { if (mine === sent) { render(data.matches || []); } })
        .catch(function () { /* suggestions are a help, not a requirement */ });
    };
    // The box follows the field being written (title, situation, solution or effect): on a phone
    // the form is a long column, and suggestions above or below the screen are never seen.
    var follow = function (f) {
      var wrapper = f.closest(".mb-3") || f;
      if (wrapper.nextElementSibling !== box) { wrapper.insertAdjacentElement("afterend", box); }
    };
    fields.forEach(function (f) {
      f.addEventListener("focus", function () { follow(f); });
      f.addEventListener("input", function () {
        follow(f);
        clearTimeout(timer);
        timer = setTimeout(query, 400);
      });
    });
    query();
  }
})();

// Background job progress: poll until finished, then reload to show the report.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-bar");
  var label = document.getElementById("job-label");
  var count = document.getElementById("job-count");
  var poll = function () {
    fetch(box.getAttribute("data-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        label.textContent = job.label;
        count.textContent = job.done + "/" + (job.total || "?");
        if (job.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  };
  setTimeout(poll, 500);
})();

// A file over the server's limit is refused here, before upload: the server would answer with an
// error page and the text typed in the same form would be out of sight. (Registered before the
// picker below, so that its "no file chosen" shows once the choice is cleared.)
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var box = document.getElementById(input.getAttribute("data-error") || "");
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.some.call(input.files, function (f) { return f.size > max; });
      if (box) { box.textContent = tooBig ? input.getAttribute("data-too-big") : ""; }
      if (tooBig) { input.value = ""; }
    });
  });
})();

// File pickers in the page's language, whatever the browser's (the native one says "Choose File").
// The words come from the catalogues through data attributes of <body> (templates/base.html).
(function () {
  "use strict";
  var words = document.body.dataset;
  document.querySelectorAll("input[type=file]").forEach(function (input) {
    var group = document.createElement("div");
    group.className = "d-flex gap-2 align-items-center flex-grow-1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary text-nowrap";
    button.textContent = words.chooseFile || "Chọn tệp…";
    var name = document.createElement("span");
    name.className = "text-truncate small";
    name.textContent = words.noFile || "Chưa chọn tệp";
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () {
      name.textContent = input.files.length ? Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ")
                                            : (words.noFile || "Chưa chọn tệp");
    });
    var label = input.id ? document.querySelector("label[for='" + input.id + "']") : null;
    button.setAttribute("aria-label", (words.chooseFileFor || "Chọn tệp:") + " " + (label ? label.textContent.trim() : ""));
    input.classList.add("visually-hidden");
    input.tabIndex = -1;
    input.setAttribute("aria-hidden", "true");
    group.appendChild(button);
    group.appendChild(name);
    input.insertAdjacentElement("afterend", group);
  });
})();

// A filter box over a long list (the panel's judges): rows whose text lacks the words typed are hidden;
// case and Vietnamese diacritics are ignored. <input data-filter-rows="#table-id"> names the table.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("input[data-filter-rows]").forEach(function (input) {
    var rows = document.querySelectorAll(input.dataset.filterRows + " tbody tr");
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        var text = fold(row.textContent);
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  });
})();
