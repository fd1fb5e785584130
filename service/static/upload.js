/* The upload page: per-file rows with their own fields, drag and drop onto #drop-zone, and one
 * XMLHttpRequest per file with a progress bar, so that one bad file never stops the rest.
 * Without this script the form posts every file at once and the server lists the results. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var form = document.getElementById("upload-form");
  var input = document.getElementById("files");
  var list = document.getElementById("upload-list");
  var zone = document.getElementById("drop-zone");
  var summary = document.getElementById("upload-summary");
  var button = document.getElementById("upload-button");
  if (!form || !input || !list || !zone || !window.FormData || !window.XMLHttpRequest) {
    return;
  }

  var CONCURRENT = 2;
  var items = [];
  var made = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function size(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function field(id, name, label, multiline) {
    var wrapper = element("div", { class: "field" });
    wrapper.appendChild(element("label", { for: id }, label));
    var control = multiline
      ? element("textarea", { id: id, name: name, rows: "2" })
      : element("input", { id: id, name: name, type: "text" });
    wrapper.appendChild(control);
    return wrapper;
  }

  // A small picture of the chosen file, from an object URL that is revoked once the picture
  // is drawn (or cannot be, or its row is removed): the browser keeps the decoded image, not
  // the whole file. A file the browser cannot draw (not an image, HEIC, TIFF) says so in text.
  function thumbnail(file) {
    var url = window.URL && URL.createObjectURL ? URL.createObjectURL(file) : null;
    var image = element("img", { class: "upload-thumb", alt: file.name, width: "64", height: "64" });
    function release() {
      if (url) {
        URL.revokeObjectURL(url);
        url = null;
      }
    }
    image.addEventListener("load", release);
    image.addEventListener("error", function () {
      release();
      var none = element("span", { class: "upload-thumb no-thumb" }, "No preview");
      if (image.parentNode) {
        image.parentNode.replaceChild(none, image);
      }
    });
    if (url) {
      image.src = url;
    }
    return { node: image, release: release };
  }

  function addFile(file) {
    made += 1;
    var prefix = "file-" + made;
    var row = element("li", { class: "upload-item", "data-filename": file.name, id: prefix });
    var head = element("div", { class: "upload-head" });
    var thumb = thumbnail(file);
    head.appendChild(thumb.node);
    head.appendChild(element("span", { class: "filename" }, file.name));
    head.appendChild(element("span", { class: "muted" }, size(file.size)));
    var remove = element("button", { type: "button", class: "secondary remove" }, "Remove");
    remove.appendChild(element("span", { class: "visually-hidden" }, " " + file.name));
    head.appendChild(remove);
    var retry = element("button", { type: "button", class: "secondary retry" }, "Try again");
    retry.appendChild(element("span", { class: "visually-hidden" }, " " + file.name));
    retry.hidden = true;
    head.appendChild(retry);
    row.appendChild(head);

    var fields = element("div", { class: "upload-fields" });
    fields.appendChild(field(prefix + "-title", "title", "Title", false));
    fields.appendChild(field(prefix + "-object-number", "object_number", "Object number", false));
    fields.appendChild(field(prefix + "-alt-text", "alt_text", "Alt text", true));
    row.appendChild(fields);

    var progress = element("progress", { max: "100", value: "0", "aria-label": "Upload of " + file.name });
    row.appendChild(progress);
    var message = element("p", { class: "upload-message", "aria-live": "polite" });
    row.appendChild(message);
    list.appendChild(row);

    var item = {
      file: file,
      row: row,
      progress: progress,
      message: message,
      remove: remove,
      retry: retry,
      state: "waiting",
    };
    retry.addEventListener("click", function () {
      retry.hidden = true;
      send(item, report);
    });
    items.push(item);
    remove.addEventListener("click", function () {
      if (item.state === "sending") {
        return;
      }
      thumb.release();
      items.splice(items.indexOf(item), 1);
      row.parentNode.removeChild(row);
      input.focus();
    });
  }

  function addFiles(files) {
    for (var i = 0; i < files.length; i++) {
      addFile(files[i]);
    }
    if (files.length) {
      summary.textContent = items.length + (items.length === 1 ? " photo" : " photos") + " ready to upload.";
    }
  }

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = ""; // the rows hold the files now; choosing the same file again adds it again
  });

  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      if (event.dataTransfer) {
        event.dataTransfer.dropEffect = "copy";
      }
      zone.classList.add("dragover");
    });
  });
  zone.addEventListener("dragleave", function (event) {
    if (!zone.contains(event.relatedTarget)) {
      zone.classList.remove("dragover");
    }
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("dragover");
    if (event.dataTransfer && event.dataTransfer.files) {
      addFiles(event.dataTransfer.files);
    }
  });
  // A photo dropped just outside the zone must not open in the tab and lose the batch.
  ["dragover", "drop"].forEach(function (type) {
    window.addEventListener(type, function (event) {
      event.preventDefault();
    });
  });

  function finish(item, status, body) {
    item.state = status;
    item.row.setAttribute("data-status", status);
    item.progress.value = 100;
    item.message.textContent = "";
    if (status === "created" || status === "duplicate") {
      item.message.appendChild(
        // The server's message: it may say more (a restored original, rights not saved).
        document.createTextNode(
          (body.message || (status === "created" ? "Uploaded" : "Already in the library")) + ": "
        )
      );
      var link = element("a", { class: "asset-link", href: body.url }, "open asset " + body.asset_id);
      item.message.appendChild(link);
      item.remove.hidden = true;
      Array.prototype.forEach.call(item.row.querySelectorAll("input, textarea"), function (control) {
        control.readOnly = true;
      });
    } else if (body.errors) {
      // The batch's own fields were refused, not the file: it goes with the next "Upload".
      item.state = "waiting";
      item.row.removeAttribute("data-status");
      item.message.textContent = body.message + " Correct the fields for every photo, then choose Upload again.";
    } else {
      item.message.textContent = body.message || body.detail || "The file was refused.";
      // Sending the same bytes again cannot help with a permanent refusal (not an image,
      // damaged, too large, unsupported): only a transient failure offers "Try again".
      item.retry.hidden = !body.transient;
      item.row.setAttribute("data-retry", body.transient ? "offered" : "no");
    }
  }

  // Network failures, server errors, a timeout (408) and too many requests (429) may pass on
  // a second try; any other 4xx is the file's own problem.
  function transient(httpStatus) {
    return httpStatus === 0 || httpStatus >= 500 || httpStatus === 408 || httpStatus === 429;
  }

  function reason(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && (body.message || body.detail)) {
        return body;
      }
    } catch (error) {
      /* not JSON: an error page */
    }
    if (xhr.status === 400) {
      return { message: "The page has expired; reload it and try again." };
    }
    return { message: "The server refused the file (HTTP " + xhr.status + ")." };
  }

  function send(item, done) {
    var data = new FormData();
    data.append("csrf_token", csrfToken());
    data.append("files", item.file, item.file.name);
    ["holder", "credit_line", "tags"].forEach(function (name) {
      var shared = document.getElementById(name);
      data.append(name, shared ? shared.value : "");
    });
    Array.prototype.forEach.call(item.row.querySelectorAll("input, textarea"), function (control) {
      data.append(control.name, control.value);
    });
    item.state = "sending";
    item.retry.hidden = true;
    item.row.removeAttribute("data-status");
    item.progress.value = 0;
    item.message.textContent = "Uploading…";

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        // The last step waits for the server to check and store the file.
        item.progress.value = Math.min(95, Math.round((event.loaded / event.total) * 95));
      }
    });
    xhr.addEventListener("load", function () {
      var body = reason(xhr);
      var status = body.status;
      if (status !== "created" && status !== "duplicate" && status !== "refused") {
        status = xhr.status >= 200 && xhr.status < 300 ? (xhr.status === 201 ? "created" : "duplicate") : "refused";
      }
      if (status === "refused") {
        body.transient = transient(xhr.status);
      }
      finish(item, status, body);
      done();
    });
    xhr.addEventListener("error", function () {
      finish(item, "refused", {
        message: "The upload failed: the server could not be reached.",
        transient: true,
      });
      done();
    });
    xhr.send(data);
  }

  function report() {
    var counts = { created: 0, duplicate: 0, refused: 0 };
    items.forEach(function (item) {
      if (counts[item.state] !== undefined) {
        counts[item.state] += 1;
      }
    });
    summary.textContent =
      counts.created + " uploaded, " + counts.duplicate + " already in the library, " + counts.refused + " refused.";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var pending = items.filter(function (item) {
      return item.state === "waiting"; // a refused file is sent again with its "Try again" button
    });
    if (!pending.length) {
      summary.textContent = items.length ? "Every photo here has been sent; choose more to add them." : "Choose at least one photo.";
      input.focus();
      return;
    }
    button.disabled = true;
    summary.textContent = "Uploading " + pending.length + (pending.length === 1 ? " photo…" : " photos…");
    var next = 0;
    var running = 0;
    function pump() {
      while (running < CONCURRENT && next < pending.length) {
        running += 1;
        send(pending[next], function () {
          running -= 1;
          if (next >= pending.length && running === 0) {
            button.disabled = false;
            report();
          } else {
            pump();
          }
        });
        next += 1;
      }
    }
    pump();
  });
})();
