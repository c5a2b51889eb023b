// Agreements: the drawn-signature pad (signature_pad, vendored in static/vendor/signature_pad with its
// licence), and one submit per click. Every form works without it: the typed full name is the signature, the
// drawing is optional, and keyboard users lose nothing. The server checks what arrives whatever drew it.
(() => {
  document.querySelectorAll("[data-signature-pad]").forEach((wrap) => {
    const canvas = wrap.querySelector("canvas");
    const field = document.getElementById(wrap.dataset.field);
    const clear = wrap.querySelector("[data-clear]");
    const status = wrap.querySelector("[data-status]");
    if (!canvas || !field || typeof window.SignaturePad !== "function") return;
    const pad = new window.SignaturePad(canvas, { penColor: "#10233f", minWidth: 1.2, maxWidth: 3 });

    const resize = () => {
      // Keep the drawing sharp on high-density phone screens; resizing clears, so only before drawing.
      if (!pad.isEmpty()) return;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
    };
    const save = () => {
      const drawn = !pad.isEmpty();
      field.value = drawn ? pad.toDataURL("image/png") : "";
      // The words come from the page, in the page's language (templates/aup/_signature_fields.html).
      const text = drawn ? wrap.dataset.textDrawn : wrap.dataset.textEmpty;
      if (status) status.textContent = text || (drawn ? "Signature drawn." : "Nothing drawn yet (optional).");
    };
    pad.addEventListener("endStroke", save);
    if (clear) {
      clear.addEventListener("click", () => {
        pad.clear();
        resize();
        save();
      });
    }
    window.addEventListener("resize", resize);
    resize();
    save();
  });

  // A double click sends once; the server also records one signature for a second send.
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
    });
  });

  // "Can I publish this class photo?": filter the register table without a round trip.
  document.querySelectorAll("[data-autosubmit-select]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
