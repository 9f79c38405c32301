/* The submission form: checks as the person types, makes the wiki page text and the record.
   Rules come from submit-rules.js (made by `lod site` from the contract); nothing is sent. */
(function () {
  "use strict";
  /* difflib.SequenceMatcher.ratio and get_close_matches, ported from CPython (no junk function). */
  function ratio(a, b) {
    var b2j = new Map(), n = b.length, i, j;
    for (i = 0; i < n; i++) { if (!b2j.has(b[i])) { b2j.set(b[i], []); } b2j.get(b[i]).push(i); }
    if (n >= 200) {
      var ntest = Math.floor(n / 100) + 1;
      b2j.forEach(function (idx, elt) { if (idx.length > ntest) { b2j.delete(elt); } });
    }
    function longest(alo, ahi, blo, bhi) {
      var besti = alo, bestj = blo, bestsize = 0, j2len = new Map();
      for (var i = alo; i < ahi; i++) {
        var next = new Map(), js = b2j.get(a[i]) || [];
        for (var k = 0; k < js.length; k++) {
          var j = js[k];
          if (j < blo) { continue; }
          if (j >= bhi) { break; }
          var size = (j2len.get(j - 1) || 0) + 1;
          next.set(j, size);
          if (size > bestsize) { besti = i - size + 1; bestj = j - size + 1; bestsize = size; }
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++; }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) { bestsize++; }
      return [besti, bestj, bestsize];
    }
    var queue = [[0, a.length, 0, n]], matches = 0;
    while (queue.length) {
      var q = queue.pop(), m = longest(q[0], q[1], q[2], q[3]);
      if (m[2]) {
        matches += m[2];
        if (q[0] < m[0] && q[2] < m[1]) { queue.push([q[0], m[0], q[2], m[1]]); }
        if (m[0] + m[2] < q[1] && m[1] + m[2] < q[3]) { queue.push([m[0] + m[2], q[1], m[1] + m[2], q[3]]); }
      }
    }
    var total = a.length + b.length;
    return total ? 2 * matches / total : 1;
  }
  /* lod.model.terms.closest: an exact match ignoring case, else difflib's best at cutoff 0.6. */
  function closest(value, allowed) {
    var lowered = new Map();
    allowed.forEach(function (o) { lowered.set(o.toLowerCase(), o); });
    var word = value.toLowerCase();
    if (lowered.has(word)) { return lowered.get(word); }
    var w = Array.from(word), best = null, bestScore = -1;
    lowered.forEach(function (orig, x) {
      var s = ratio(Array.from(x), w);
      if (s >= 0.6 && (s > bestScore || (s === bestScore && x > best))) { best = x; bestScore = s; }
    });
    return best === null ? null : lowered.get(best);
  }
  /* The one matcher the page uses, for the test that holds it to the Python one. */
  window.lodMatch = { closest: closest };

  var R = window.lodForm;
  var form = document.getElementById("submit-form");
  if (!R || !form) { return; }
  function $(id) { return document.getElementById(id); }
  function val(id) { return ($(id).value || "").trim(); }

  var countryByName = new Map(), countryName = new Map();
  R.countries.forEach(function (c) {
    countryByName.set(c.label.toLowerCase(), c.id); countryByName.set(c.id.toLowerCase(), c.id);
    countryName.set(c.id, c.label);
  });
  var unitByName = new Map(), unitLabel = new Map();
  R.units.forEach(function (u) { unitByName.set(u.label.toLowerCase(), u.id); unitLabel.set(u.id, u.label); });
  function label(list, id) { for (var i = 0; i < list.length; i++) { if (list[i].id === id) { return list[i].label; } } return id; }
  /* The patterns of the committed JSON Schema (docs/casestudy.schema.json), as `lod site` read it. */
  var dateRe = new RegExp(R.datePattern), urlRe = new RegExp(R.urlPattern);
  var langRe = new RegExp(R.langPattern), emailRe = new RegExp(R.emailPattern);
  /* A date the pattern lets through must also be on the calendar ("2019-02-30" is not). */
  function onCalendar(d) {
    var p = d.split("-").map(Number);
    if (p.length > 1 && (p[1] < 1 || p[1] > 12)) { return false; }
    if (p.length < 3) { return true; }
    var last = new Date(0); last.setUTCFullYear(p[0], p[1], 0);
    return p[2] >= 1 && p[2] <= last.getUTCDate();
  }
  /* "Report: " before a link on the page: the kind's label, as `lod harvest` reads it back. */
  function kindWords(link) {
    if (!link.kind) { return ""; }
    var words = label(R.linkKinds, link.kind);
    return words.charAt(0).toUpperCase() + words.slice(1) + ": ";
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function say(id, text) {
    var el = $(id); el.textContent = text;
    var input = document.querySelector("[aria-describedby~='" + id + "']");
    if (input) { if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); } }
  }
  function countryCode(text) {
    return countryByName.get(text.toLowerCase()) || null;
  }
  function countryHint(text) {
    var names = R.countries.map(function (c) { return c.label; });
    var guess = closest(text, names);
    return "country " + JSON.stringify(text) + " is not a country name this catalogue knows" +
      (guess ? "; did you mean " + JSON.stringify(guess) + "?" : "; choose one from the list");
  }

  /* --- as they type --- */
  var summary = $("f-summary");
  function countSummary() {
    var n = Array.from(summary.value.trim()).length;
    $("f-summary-count").textContent = fmt(n) + " of " + fmt(R.maxSummary) + " characters";
    say("f-summary-msg", n > R.maxSummary ? "Summary: " + fmt(n) + " characters; a summary has at most " + fmt(R.maxSummary) : "");
  }
  summary.addEventListener("input", countSummary);
  /* "Add another ...": shows the next hidden group of a repeated set (institutions, links). */
  function repeater(button, selector, first) {
    $(button).addEventListener("click", function () {
      var groups = Array.from(document.querySelectorAll(selector));
      var next = groups.filter(function (g) { return g.hidden; })[0];
      if (next) { next.hidden = false; $(first(groups.indexOf(next))).focus(); }
      if (!groups.some(function (g) { return g.hidden; })) { $(button).hidden = true; }
    });
  }
  function instCount() { return document.querySelectorAll("fieldset.institution").length; }
  function linkCount() { return document.querySelectorAll("fieldset.link").length; }
  repeater("add-institution", "fieldset.institution", function (n) { return "f-inst-" + n + "-name"; });
  repeater("add-link", "fieldset.link", function (n) { return "f-link-" + n + "-url"; });
  function languageSlots() { return document.querySelectorAll("div.lang-slot").length; }
  repeater("add-language", "div.lang-slot", function (n) { return "f-language-" + n; });
  function checkInstitution(n, whole) {
    var name = val("f-inst-" + n + "-name"), type = val("f-inst-" + n + "-type"), country = val("f-inst-" + n + "-country");
    var problems = [];
    var def = "";
    R.types.forEach(function (t) { if (t.id === type) { def = t.definition; } });
    $("f-inst-" + n + "-type-def").textContent = def;
    if (!name && !type && !country) {
      if (whole && n === 0) { problems.push("Institution 1: give its name, kind of library and country"); }
    } else {
      if (!name) { problems.push("Institution " + (n + 1) + ": the name is missing"); }
      if (!type) { problems.push("Institution " + (n + 1) + ": choose the kind of library"); }
      if (!country) { problems.push("Institution " + (n + 1) + ": the country is missing"); }
      else if (!countryCode(country)) { problems.push("Institution " + (n + 1) + ": " + countryHint(country)); }
    }
    $("f-inst-" + n + "-msg").textContent = problems.join(". ");
    var c = $("f-inst-" + n + "-country");
    if (country && !countryCode(country)) { c.setAttribute("aria-invalid", "true"); } else { c.removeAttribute("aria-invalid"); }
    return problems;
  }
  for (var n0 = 0; n0 < instCount(); n0++) {
    (function (n) {
      ["name", "type", "country"].forEach(function (part) {
        $("f-inst-" + n + "-" + part).addEventListener("change", function () { checkInstitution(n, false); });
      });
    })(n0);
  }
  var filter = $("f-unit-filter");
  filter.addEventListener("input", function () {
    var words = filter.value.trim().toLowerCase(), any = false;
    document.querySelectorAll("#units .check").forEach(function (row) {
      var hit = !words || row.textContent.toLowerCase().indexOf(words) >= 0 || row.querySelector("input").checked;
      row.hidden = !hit; if (hit && words) { any = true; }
    });
    var guess = words && !any ? closest(filter.value.trim(), R.units.map(function (u) { return u.label; })) : null;
    $("f-unit-msg").textContent = words && !any ? "No IFLA unit is named " + JSON.stringify(filter.value.trim()) +
      (guess ? "; did you mean " + JSON.stringify(guess) + "?" : "") : "";
  });
  /* Languages by name (mappings/languages.tsv, as `lod site` read it), stored as codes. */
  var langByName = new Map(), langName = new Map();
  R.languages.forEach(function (l) {
    langByName.set(l.label.toLowerCase(), l.id); langByName.set(l.id.toLowerCase(), l.id); langName.set(l.id, l.label);
  });
  function languageCode(text) {
    var found = langByName.get(text.toLowerCase());
    if (found) { return found; }
    /* a fuller tag (pt-BR, sr-Latn) of a listed language, as lod validate takes it */
    return langRe.test(text) && text.indexOf("-") > 0 && langName.has(text.split("-")[0].toLowerCase()) ? text : null;
  }
  function languageProblem(what, text) {
    var guess = closest(text, R.languages.map(function (l) { return l.label; }));
    return what + ": " + JSON.stringify(text) + " is not a language name this catalogue knows" +
      (guess ? "; did you mean " + JSON.stringify(guess) + "?" : "; choose one from the list");
  }
  function languages(problems) {
    var codes = [], bad = [];
    for (var m = 0; m < languageSlots(); m++) {
      var text = val("f-language-" + m);
      if (!text) { continue; }
      var code = languageCode(text);
      if (!code) { bad.push(languageProblem("Wiki language edition " + (m + 1), text)); }
      else if (codes.indexOf(code) < 0) { codes.push(code); }
    }
    say("f-languages-msg", bad.join(". "));
    bad.forEach(function (b) { problems.push(b); });
    return codes;
  }
  function checkLang(problems) {
    var text = val("f-lang"), code = text ? languageCode(text) : null;
    var bad = code ? "" : text ? languageProblem("Language", text) : "Language: required";
    say("f-lang-msg", bad);
    if (bad) { problems.push(bad); }
    return code;
  }
  $("f-lang").addEventListener("change", function () { checkLang([]); });
  for (var m0 = 0; m0 < languageSlots(); m0++) { $("f-language-" + m0).addEventListener("change", function () { languages([]); }); }

  /* --- the whole form --- */
  function collect() {
    var problems = [];
    var title = val("f-title"), text = summary.value.trim();
    say("f-title-msg", title ? "" : "Title: required");
    if (!title) { problems.push("Title: required"); }
    var lang = checkLang(problems);
    countSummary();
    var count = Array.from(text).length;
    if (!text) { problems.push("Summary: required"); say("f-summary-msg", "Summary: required"); }
    else if (count > R.maxSummary) { problems.push($("f-summary-msg").textContent); }
    var institutions = [];
    for (var n = 0; n < instCount(); n++) {
      var found = checkInstitution(n, true);
      problems = problems.concat(found);
      var name = val("f-inst-" + n + "-name");
      if (!found.length && name) {
        var inst = { name: name, country: countryCode(val("f-inst-" + n + "-country")), type: val("f-inst-" + n + "-type") };
        if (val("f-inst-" + n + "-role")) { inst.role = val("f-inst-" + n + "-role"); }
        institutions.push(inst);
      }
    }
    function checked(name) {
      return Array.from(form.querySelectorAll("input[name='" + name + "']:checked")).map(function (i) { return i.value; });
    }
    var units = checked("unit"), projects = checked("project"), activities = checked("activity");
    $("f-project-msg").textContent = projects.length ? "" : "Wikimedia projects: choose at least one";
    if (!projects.length) { problems.push("Wikimedia projects: choose at least one"); }
    var langs = languages(problems);
    var start = val("f-start"), end = val("f-end"), dateProblem = "";
    [start, end].forEach(function (d) {
      if (d && !dateRe.test(d)) { dateProblem = "Dates: " + JSON.stringify(d) + " is not YYYY, YYYY-MM or YYYY-MM-DD"; }
      else if (d && !onCalendar(d)) { dateProblem = "Dates: " + JSON.stringify(d) + " is not a date on the calendar"; }
    });
    if (!dateProblem && start && end && end < start.slice(0, end.length)) { dateProblem = "Dates: the end comes before the start"; }
    $("f-dates-msg").textContent = dateProblem;
    if (dateProblem) { problems.push(dateProblem); }
    var links = [];
    for (var k = 0; k < linkCount(); k++) {
      var url = val("f-link-" + k + "-url"), t = val("f-link-" + k + "-title"), lk = val("f-link-" + k + "-kind"), bad = "";
      if (!url && (t || lk)) { bad = "Link " + (k + 1) + ": the address is missing"; }
      else if (url && !urlRe.test(url)) { bad = "Link " + (k + 1) + ": " + JSON.stringify(url) + " is not an http(s) address"; }
      say("f-link-" + k + "-msg", bad);
      if (bad) { problems.push(bad); continue; }
      if (!url) { continue; }
      var link = { url: url };
      if (t) { link.title = t; }
      if (lk) { link.kind = lk; }
      links.push(link);
    }
    var sections = {};
    R.sections.forEach(function (s) { var t = val("f-section-" + s.id); if (t) { sections[s.id] = t; } });
    /* The page lists the links under its Resources heading, and lod harvest keeps that
       section's text as well as the links: the record says the same. */
    var listed = links.map(function (l) { return "- " + kindWords(l) + (l.title ? "[" + l.title + "](" + l.url + ")" : l.url); });
    var resources = [sections.resources || ""].concat(listed).filter(Boolean).join("\n");
    if (resources) { sections.resources = resources; }
    var kind = val("f-submitter-kind"), who = val("f-submitter-name"), submitted = null, whoProblem = "";
    if (kind === "ifla-unit") {
      var unit = unitByName.get(who.toLowerCase());
      if (!unit) {
        var g = closest(who, R.units.map(function (u) { return u.label; }));
        whoProblem = "Submitted by: " + JSON.stringify(who) + " is not an IFLA unit name" + (g ? "; did you mean " + JSON.stringify(g) + "?" : "");
      } else { submitted = { kind: kind, unit: unit, name: unitLabel.get(unit) }; }
    } else if (kind) { submitted = who ? { kind: kind, name: who } : { kind: kind }; }
    else if (who) { whoProblem = "Submitted by: say whether it is an IFLA unit, a person or an organisation"; }
    say("f-submitter-msg", whoProblem);
    if (whoProblem) { problems.push(whoProblem); }
    var contact = null, email = val("f-contact-email");
    var emailBad = email && !emailRe.test(email) ? "Contact e-mail: " + JSON.stringify(email) + " is not an e-mail address" : "";
    say("f-contact-msg", emailBad);
    if (emailBad) { problems.push(emailBad); }
    if (val("f-contact-name") || val("f-contact-email")) {
      contact = {};
      if (val("f-contact-name")) { contact.name = val("f-contact-name"); }
      if (val("f-contact-email")) { contact.email = val("f-contact-email"); }
      contact.publish = $("f-contact-publish").checked;
    }
    return { problems: problems, title: title, lang: lang, summary: text, institutions: institutions,
      units: units, projects: projects, activities: activities, languages: langs,
      start: start, end: end, links: links, sections: sections, submitted: submitted, contact: contact,
      licence: val("f-licence") };
  }

  /* The page's title: a text not in English goes on a translation sub-page ("Title/fi"),
     where `lod harvest` reads its language (and makes the id) from, as for the call's pages. */
  var subpageRe = new RegExp("^(?:" + R.subpagePattern + ")$");
  function pageTitle(d) {
    return d.title + (d.lang !== R.unmarkedLang && subpageRe.test(d.lang) ? "/" + d.lang : "");
  }

  /* lod.harvest.wikirecord.slug */
  function slug(text) {
    var folded = text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase();
    var words = folded.match(/[a-z0-9]+/g) || [], out = "";
    for (var i = 0; i < words.length; i++) {
      if (out.length + words[i].length + 1 > R.maxId) { break; }
      out = out ? out + "-" + words[i] : words[i];
    }
    return out || "case-study";
  }

  function wikiText(d) {
    var out = ["== " + R.summaryHeading + " ==", d.summary, "", "== " + R.sections[0].heading + " =="];
    d.institutions.forEach(function (i) {
      out.push("* Institution: " + i.name + " – " + label(R.types, i.type) + " – " + countryName.get(i.country) +
        (i.role ? " – " + label(R.roles, i.role) : ""));
    });
    if (d.units.length) { out.push("* IFLA unit: " + d.units.map(function (u) { return unitLabel.get(u); }).join("; ")); }
    if (d.start) { out.push("* Dates: " + d.start + (d.end && d.end !== d.start ? " – " + d.end : "")); }
    out.push("* Wikimedia projects: " + d.projects.map(function (p) { return label(R.projects, p); }).join("; "));
    if (d.activities.length) { out.push("* Activities: " + d.activities.map(function (a) { return label(R.activities, a); }).join("; ")); }
    if (d.languages.length) { out.push("* Languages: " + d.languages.map(function (c) { return langName.get(c) || c; }).join("; ")); }
    if (d.submitted) { out.push("* Submitted by: " + (d.submitted.name || "")); }
    if (d.sections.context) { out.push("", d.sections.context); }
    R.sections.slice(1).forEach(function (s) {
      var body = d.sections[s.id] || "";
      if (s.id === "resources") {
        var lines = d.links.map(function (l) { return "* " + kindWords(l) + (l.title ? "[" + l.url + " " + l.title + "]" : l.url); });
        body = [val("f-section-resources")].concat(lines).filter(Boolean).join("\n");
      }
      if (body) { out.push("", "== " + s.heading + " ==", body); }
    });
    return out.join("\n") + "\n";
  }

  function q(s) { return JSON.stringify(s); }
  function yamlText(d) {
    var y = ["id: " + q(slug(pageTitle(d))), "status: draft", "lang: " + q(d.lang),
      "title:", "  " + q(d.lang) + ": " + q(d.title), "summary:", "  " + q(d.lang) + ": " + q(d.summary)];
    var keys = Object.keys(d.sections);
    if (keys.length) { y.push("sections:"); keys.forEach(function (k) { y.push("  " + k + ": " + q(d.sections[k])); }); }
    if (d.submitted) {
      y.push("submitted_by:"); ["kind", "unit", "name"].forEach(function (k) { if (d.submitted[k]) { y.push("  " + k + ": " + q(d.submitted[k])); } });
    }
    function list(key, values) { if (values.length) { y.push(key + ":"); values.forEach(function (v) { y.push("  - " + q(v)); }); } }
    list("ifla_units", d.units);
    y.push("institutions:");
    d.institutions.forEach(function (i) {
      y.push("  - name: " + q(i.name), "    country: " + q(i.country), "    type: " + q(i.type));
      if (i.role) { y.push("    role: " + q(i.role)); }
    });
    list("wikimedia_projects", d.projects);
    list("activities", d.activities);
    list("languages", d.languages);
    if (d.start || d.end) {
      y.push("period:"); if (d.start) { y.push("  start: " + q(d.start)); } if (d.end) { y.push("  end: " + q(d.end)); }
    }
    if (d.links.length) {
      y.push("links:"); d.links.forEach(function (l) {
        y.push("  - url: " + q(l.url)); if (l.title) { y.push("    title: " + q(l.title)); } if (l.kind) { y.push("    kind: " + q(l.kind)); }
      });
    }
    if (d.contact) {
      y.push("contacts:"); var first = true;
      ["name", "email"].forEach(function (k) { if (d.contact[k]) { y.push((first ? "  - " : "    ") + k + ": " + q(d.contact[k])); first = false; } });
      y.push("    publish: " + (d.contact.publish ? "true" : "false"));
    }
    y.push("license: " + q(d.licence));
    return y.join("\n") + "\n";
  }

  var blobUrl = null;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var d = collect(), errors = $("form-errors");
    errors.textContent = "";
    if (d.problems.length) {
      $("results").hidden = true;
      var p = document.createElement("p"); p.textContent = "Please check " + d.problems.length + (d.problems.length === 1 ? " thing:" : " things:");
      var ul = document.createElement("ul");
      d.problems.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
      errors.appendChild(p); errors.appendChild(ul); errors.hidden = false; errors.focus();
      return;
    }
    errors.hidden = true;
    $("wiki-text").value = wikiText(d);
    var yaml = yamlText(d);
    $("yaml-text").value = yaml;
    if (blobUrl) { URL.revokeObjectURL(blobUrl); }
    blobUrl = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
    var dl = $("yaml-download"); dl.href = blobUrl; dl.download = slug(pageTitle(d)) + ".yaml";
    $("wiki-link").href = R.wikiEdit + "?title=" + encodeURIComponent((R.pagePrefix + pageTitle(d)).replace(/ /g, "_")) + "&action=edit";
    $("results").hidden = false;
    $("results-heading").setAttribute("tabindex", "-1"); $("results-heading").focus();
  });
  $("copy-wiki").addEventListener("click", function () {
    var area = $("wiki-text"); area.focus(); area.select();
    var done = function () { $("copy-status").textContent = "Copied."; };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(area.value).then(done, function () { document.execCommand("copy"); done(); }); }
    else { document.execCommand("copy"); done(); }
  });

  /* --- prefill from the address: ?unit=...&type=...&country=FI&project=...&activity=...&title=... --- */
  var params = new URLSearchParams(window.location.search);
  params.forEach(function (value, key) {
    if (key === "unit" || key === "project" || key === "activity") {
      var box = $("f-" + key + "-" + value); if (box) { box.checked = true; }
    } else if (key === "type") { $("f-inst-0-type").value = value; checkInstitution(0, false); }
    else if (key === "country") { $("f-inst-0-country").value = countryName.get(value.toUpperCase()) || value; checkInstitution(0, false); }
    else if (key === "lang") { $("f-lang").value = langName.get(value) || value; }
    else if (key === "languages") {
      value.split(",").map(function (v) { return v.trim(); }).filter(Boolean).slice(0, languageSlots()).forEach(function (v, i) {
        $("language-" + i).hidden = false; $("f-language-" + i).value = langName.get(v) || v;
      });
    }
    else if (key === "title" || key === "summary" || key === "start" || key === "end") {
      var f = $("f-" + key); if (f) { f.value = value; }
    }
  });
  countSummary();
  form.dataset.ready = "true";
})();
