// The report form: show the 999 panel at once, guide on images, add pupils from the type-ahead,
// and stop a double click sending twice (the server also ignores a second send of the same form).
(() => {
  const form = document.getElementById("report-form");
  if (!form) return;
  const urgent = document.getElementById("urgent-panel");
  const guidance = document.getElementById("no-attachment-guidance");
  const attachments = document.getElementById("attachments-field");
  const subject = document.getElementById("subject-staff-field");
  const category = form.querySelector("[name=category]");
  const aboutStaff = form.querySelector("[name=about_staff]");
  const noAttach = (form.dataset.noAttachmentCategories || "").split(",");

  const sync = () => {
    const risk = form.querySelector("[name=immediate_risk]:checked");
    if (urgent) urgent.hidden = !(risk && risk.value === "yes");
    const forbidden = category && noAttach.includes(category.value);
    if (guidance) guidance.hidden = !forbidden;
    if (attachments) {
      attachments.hidden = forbidden;
      // A file chosen before the category was is dropped, not kept waiting to be sent if the category changes.
      attachments.querySelectorAll("input").forEach((i) => {
        i.disabled = forbidden;
        if (forbidden && i.type === "file") i.value = "";
      });
    }
    if (subject) subject.hidden = !((aboutStaff && aboutStaff.checked) || (category && category.value === "staff_conduct"));
  };
  form.addEventListener("change", sync);
  sync();

  const chosen = document.getElementById("chosen-pupils");
  const template = document.getElementById("chosen-pupil-template");
  document.addEventListener("click", (event) => {
    const add = event.target.closest(".add-pupil");
    if (add && chosen && template) {
      const id = add.dataset.pupilId;
      if (!chosen.querySelector(`[data-pupil-id="${id}"]`)) {
        const row = template.content.firstElementChild.cloneNode(true);
        row.dataset.pupilId = id;
        row.querySelector("input[name=pupil]").value = id;
        const select = row.querySelector("select");
        select.name = `pupil_role_${id}`;
        select.id = `role-${id}`;
        row.querySelector("label").htmlFor = `role-${id}`;
        const label = row.querySelector(".pupil-label");
        label.textContent = `${add.dataset.pupilLabel} `;
        const detail = document.createElement("span");
        detail.className = "text-muted small";
        detail.textContent = add.dataset.pupilDetail;
        label.appendChild(detail);
        chosen.appendChild(row);
        select.focus();
      }
      add.closest("li").remove();
    }
    const remove = event.target.closest(".remove-pupil");
    if (remove) remove.closest("li").remove();
  });

  form.addEventListener("submit", () => {
    form.querySelectorAll("button[data-once]").forEach((b) => {
      b.disabled = true;
      b.textContent = "Sending…";
    });
  });
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
