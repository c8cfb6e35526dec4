// django-celery-beat's periodic task form: show the chosen crontab in words under the field (was an inline script).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const $ = window.django.jQuery;
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const help = $(".field-crontab .help");
  const originalHelp = help.html();

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(() => {
    const translation = $("<span>").text(`Translation: ${readableCrontabs[$("#id_crontab").val()]}`);
    help.html(originalHelp).append("<br>", translation);
  });
});
