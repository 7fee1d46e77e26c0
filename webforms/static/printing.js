// The print office. Select-all on the list; on a job's page the bar follows the stored state
// and the page reloads itself when the job ends. Without JavaScript the page refreshes itself.
(function () {
  var all = document.getElementById('zaznacz-wszystkie');
  if (all) {
    all.hidden = false;
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name=plik]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  var box = document.getElementById('postep');
  if (!box || (box.dataset.status !== 'queued' && box.dataset.status !== 'running')) return;
  var bar = document.getElementById('postep-pasek'), text = document.getElementById('postep-opis'),
      percent = document.getElementById('postep-procent');
  function poll() {
    fetch(box.dataset.stateUrl, {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.percent;
        percent.textContent = s.percent + '%';
        if (s.status === 'running') text.textContent = 'Przygotowywanie dokumentów: ' + s.done + ' z ' + s.total + '.';
        if (s.status === 'finished' || s.status === 'failed') { window.location.reload(); return; }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
