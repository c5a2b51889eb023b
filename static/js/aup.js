// Agreements: a small drawn-signature pad (signature_pad is not available offline, so this is our own),
// and one submit per click. Every form works without it: the typed full name is the signature, the
// drawing is optional, and keyboard users lose nothing.
(() => {
  document.querySelectorAll("[data-signature-pad]").forEach((wrap) => {
    const canvas = wrap.querySelector("canvas");
    const field = document.getElementById(wrap.dataset.field);
    const clear = wrap.querySelector("[data-clear]");
    const status = wrap.querySelector("[data-status]");
    if (!canvas || !field) return;
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    let last = null;

    const resize = () => {
      // Keep the drawing sharp on high-density phone screens; resizing clears, so only before drawing.
      if (drawn) return;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#10233f";
    };
    const point = (event) => {
      const rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    const save = () => {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
      if (status) status.textContent = drawn ? "Signature drawn." : "Nothing drawn yet (optional).";
    };
    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const here = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(here.x, here.y);
      ctx.stroke();
      last = here;
    });
    const stop = () => {
      if (!drawing) return;
      drawing = false;
      save();
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    if (clear) {
      clear.addEventListener("click", () => {
        drawn = false;
        ctx.clearRect(0, 0, canvas.width, canvas.height);
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
