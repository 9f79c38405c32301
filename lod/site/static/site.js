/* Search and filters of the index page. The list is already in the page;
   this only hides what does not match. State lives in the URL's fragment
   (#type=public&country=GB), so a filtered view can be bookmarked. */
(function () {
  'use strict';
  var form = document.getElementById('filters');
  var list = document.getElementById('results');
  var count = document.getElementById('count');
  if (!form || !list || !count || typeof MiniSearch === 'undefined') {
    return;
  }
  var records = window.lodRecords || [];
  var note = document.getElementById('js-note');
  if (note) {
    note.hidden = true;
  }
  form.hidden = false;

  var byId = {};
  records.forEach(function (r) { byId[r.id] = r; });
  var search = new MiniSearch({ fields: ['title', 'summary'], idField: 'id' });
  search.addAll(records.map(function (r) {
    return { id: r.id, title: r.title, summary: r.summary };
  }));

  /* form field -> record field holding a list of term ids */
  var FACETS = {
    type: 'types', country: 'countries', region: 'regions',
    unit: 'units', project: 'projects', activity: 'activities'
  };
  var FIELDS = ['q'].concat(Object.keys(FACETS), ['from', 'to', 'undated']);
  var undatedCount = Number(count.getAttribute('data-undated') || '0');
  var items = Array.prototype.slice.call(list.querySelectorAll('li[data-id]'));
  var total = items.length;

  /* A facet holds the chosen values (several may be chosen); other fields one value. */
  function state() {
    var s = {};
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field.type === 'select-multiple') {
        var chosen = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        if (chosen.length) { s[name] = chosen; }
      } else if (field.type === 'checkbox') {
        if (field.checked) { s[name] = 'yes'; }
      } else {
        var value = field.value.trim();
        if (value !== '') { s[name] = value; }
      }
    });
    return s;
  }

  function yearsMatch(r, s) {
    if (s.from === undefined && s.to === undefined) { return true; }
    if (r.start === null) { return s.undated === 'yes'; }
    var end = r.end === null ? Infinity : r.end;
    var from = s.from === undefined ? -Infinity : Number(s.from);
    var to = s.to === undefined ? Infinity : Number(s.to);
    return r.start <= to && end >= from;
  }

  function matches(r, s, hits) {
    if (hits !== null && !hits.has(r.id)) { return false; }
    for (var name in FACETS) {
      if (s[name] !== undefined && !s[name].some(function (v) {
        return r[FACETS[name]].indexOf(v) >= 0;
      })) { return false; }
    }
    return yearsMatch(r, s);
  }

  function apply(updateUrl) {
    var s = state();
    var hits = null;
    if (s.q !== undefined) {
      hits = new Set(search.search(s.q, { prefix: true, combineWith: 'AND' })
        .map(function (hit) { return hit.id; }));
    }
    var shown = 0;
    items.forEach(function (li) {
      var ok = matches(byId[li.getAttribute('data-id')], s, hits);
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var text = shown === total && Object.keys(s).length === 0
      ? 'All ' + total + ' case studies'
      : shown + ' of ' + total + ' case studies match';
    if ((s.from !== undefined || s.to !== undefined) && s.undated === undefined && undatedCount) {
      text += '; ' + undatedCount + ' without a start date left out (tick the box to show them)';
    }
    count.textContent = text;
    if (updateUrl) {
      var params = new URLSearchParams();
      FIELDS.forEach(function (name) {
        if (s[name] !== undefined) {
          params.set(name, Array.isArray(s[name]) ? s[name].join(',') : s[name]);
        }
      });
      var text = params.toString();
      history.replaceState(null, '', text ? '#' + text : location.pathname + location.search);
    }
  }

  function fromUrl() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      var value = params.get(name) || '';
      if (field.type === 'select-multiple') {
        var wanted = value ? value.split(',') : [];
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = wanted.indexOf(o.value) >= 0;
        });
      } else if (field.type === 'checkbox') {
        field.checked = value === 'yes';
      } else {
        field.value = value;
      }
    });
  }

  form.addEventListener('input', function () { apply(true); });
  form.addEventListener('change', function () { apply(true); });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('reset', function () { window.setTimeout(function () { apply(true); }, 0); });
  window.addEventListener('hashchange', function () { fromUrl(); apply(false); });
  fromUrl();
  apply(false);
}());
