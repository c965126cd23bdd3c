// Before a form with files is sent: the same limits as the server's (which still checks), so that
// a person learns at once, beside the field, that a file is too big or there are too many, instead
// of after the upload. The limits and the messages (already translated) are on the file input.
document.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
  var form = input.form;
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    var data = input.dataset;
    var problems = [];
    var count = 0;
    var total = 0;
    form.querySelectorAll("input[name=kept]:checked").forEach(function (kept) {
      count += 1;
      total += Number(kept.dataset.size || 0);
    });
    Array.prototype.forEach.call(input.files || [], function (file) {
      count += 1;
      total += file.size;
      if (file.size > Number(data.maxFileBytes)) {
        problems.push(data.messageFile.replace("{name}", file.name));
      }
    });
    if (count > Number(data.maxFiles)) { problems.push(data.messageCount); }
    if (total > Number(data.maxRequestBytes)) { problems.push(data.messageTotal); }
    if (!problems.length) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();  // the form is not sent: once.js must not disable its button
    var field = input.closest(".field");
    var list = field.querySelector("ul.errorlist.client") || document.createElement("ul");
    list.className = "errorlist client";
    list.textContent = "";
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    field.appendChild(list);
    field.classList.add("has-error");
    input.focus();
  });
});
