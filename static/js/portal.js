// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // The school switcher submits on change; its button remains for keyboard and no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Move focus to the page heading after a full navigation, so screen readers start at the content.
  const main = document.getElementById("main");
  if (main && window.location.hash === "#main") main.focus();
});
