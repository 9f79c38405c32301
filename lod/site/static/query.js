/* The query page: the catalogue's queries, editable, run in this browser with
   Oxigraph's WebAssembly build on the site's own graph (or, under `lod serve`,
   on its endpoint). The state lives in the URL's fragment: #name=NAME (plus
   the query's parameters) runs a catalogue query, #sparql=TEXT an edited one.
   No inline script, no eval, no request to another site. */
(function () {
  'use strict';
  var configBlock = document.getElementById('query-config');
  var form = document.getElementById('query-form');
  if (!configBlock || !form) { return; }
  var config = JSON.parse(configBlock.textContent);
  var editor = document.getElementById('sparql');
  var highlight = document.getElementById('sparql-highlight');
  var about = document.getElementById('query-about');
  var paramsBox = document.getElementById('params');
  var paramFields = document.getElementById('param-fields');
  var runButton = document.getElementById('run');
  var wdqsLink = document.getElementById('wdqs-link');
  var statusLine = document.getElementById('query-status');
  var errorLine = document.getElementById('query-error');
  var downloads = document.getElementById('downloads');
  var csvLink = document.getElementById('download-csv');
  var jsonLink = document.getElementById('download-json');
  var table = document.getElementById('results');
  var caption = document.getElementById('results-caption');
  var note = document.getElementById('query-js-note');
  var WDQS = 'https://query.wikidata.org/';
  var XSD = 'http://www.w3.org/2001/XMLSchema#';
  var WD = 'http://www.wikidata.org/entity/';
  /* Rows drawn in the table; the downloads always hold every row. */
  var SHOWN_ROWS = 5000;
  var byName = {};
  config.queries.forEach(function (q) { byName[q.name] = q; });
  var labels = window.lodLabels || {};
  var store = null;
  var current = null; /* the chosen catalogue query, or null for a query of one's own */
  var urls = [];

  function setStatus(text) { statusLine.textContent = text; }
  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  /* ---- the editor's highlighting: a layer of spans under a transparent textarea ---- */
  var TOKEN = new RegExp([
    '(#[^\\n]*)',                                  /* 1 comment */
    '("""[\\s\\S]*?"""|\'\'\'[\\s\\S]*?\'\'\'|"(?:[^"\\\\\\n]|\\\\.)*"|\'(?:[^\'\\\\\\n]|\\\\.)*\')', /* 2 string */
    '(<[^<>"{}|^`\\\\\\s]*>)',                      /* 3 IRI */
    '([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)',           /* 4 variable */
    '([A-Za-z][\\w.-]*:[\\w.%-]*|:[\\w.%-]+)',      /* 5 prefixed name */
    '\\b(SELECT|DISTINCT|REDUCED|WHERE|PREFIX|BASE|OPTIONAL|FILTER|UNION|MINUS|GRAPH|SERVICE|BIND|VALUES|AS|ORDER|BY|ASC|DESC|GROUP|HAVING|LIMIT|OFFSET|ASK|CONSTRUCT|DESCRIBE|FROM|NAMED|NOT|EXISTS|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|LANGMATCHES|DATATYPE|BOUND|IF|COALESCE|REGEX|CONTAINS|STRSTARTS|STRENDS|LCASE|UCASE|YEAR|CONCAT|SUBSTR|a)\\b', /* 6 keyword */
    '(\\b\\d+(?:\\.\\d+)?\\b)'                     /* 7 number */
  ].join('|'), 'gi');
  var CLASSES = [null, 'tok-comment', 'tok-string', 'tok-iri', 'tok-var', 'tok-name', 'tok-keyword', 'tok-number'];

  function paint() {
    var text = editor.value;
    var fragment = document.createDocumentFragment();
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[0] === '') { TOKEN.lastIndex += 1; continue; }
      if (match.index > last) { fragment.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var span = document.createElement('span');
      for (var group = 1; group < CLASSES.length; group++) {
        if (match[group] !== undefined) { span.className = CLASSES[group]; break; }
      }
      span.textContent = match[0];
      fragment.appendChild(span);
      last = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(text.slice(last) + '\n'));
    highlight.textContent = '';
    highlight.appendChild(fragment);
    syncScroll();
  }
  function syncScroll() {
    highlight.parentNode.scrollTop = editor.scrollTop;
    highlight.parentNode.scrollLeft = editor.scrollLeft;
  }

  /* ---- parameters: typed RDF terms, as `lod query --param` reads them ---- */
  function ntLiteral(value, datatype) {
    var escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
      .replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    return '"' + escaped + '"' + (datatype ? '^^<' + datatype + '>' : '');
  }
  function termFor(param, value) {
    var kind = param.kind;
    var where = 'Parameter ' + param.name + ': ';
    if (kind === 'term' && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value)) {
      throw new Error(where + JSON.stringify(value) + ' is not a vocabulary term id (e.g. "public")');
    }
    if (kind === 'country code') {
      if (!/^[A-Za-z]{2}$/.test(value)) { throw new Error(where + JSON.stringify(value) + ' is not an ISO 3166-1 alpha-2 code'); }
      return ntLiteral(value.toUpperCase());
    }
    if (kind === 'qid') {
      var qid = /^(?:wd:|http:\/\/www\.wikidata\.org\/entity\/)?(Q[1-9][0-9]*)$/.exec(value);
      if (!qid) { throw new Error(where + JSON.stringify(value) + ' is not a Wikidata item id (Q…)'); }
      return '<' + WD + qid[1] + '>';
    }
    if (kind === 'iri') {
      if (!/^(?:https?:|urn:)[^<>"{}|^`\\\s]*$/.test(value)) { throw new Error(where + JSON.stringify(value) + ' is not an absolute IRI'); }
      return '<' + value + '>';
    }
    if (kind === 'integer') {
      if (!/^[+-]?[0-9]+$/.test(value)) { throw new Error(where + JSON.stringify(value) + ' is not an integer'); }
      return ntLiteral(String(parseInt(value, 10)), XSD + 'integer');
    }
    return ntLiteral(value);
  }
  function paramValues() {
    var found = {};
    if (!current) { return found; }
    current.params.forEach(function (param) {
      var input = document.getElementById('param-' + param.name);
      if (input && input.value.trim() !== '') { found[param.name] = input.value.trim(); }
    });
    return found;
  }
  /* A trailing VALUES clause, as `lod query --endpoint` sends it (the rows are the same). */
  function valuesClause(values) {
    var names = [];
    var terms = [];
    current.params.forEach(function (param) {
      if (Object.prototype.hasOwnProperty.call(values, param.name)) {
        names.push('?' + param.name);
        terms.push(termFor(param, values[param.name]));
      } else if (!param.optional) {
        throw new Error('Parameter ' + param.name + ' is needed: give a value above.');
      }
    });
    return names.length ? '\nVALUES (' + names.join(' ') + ') { (' + terms.join(' ') + ') }\n' : '';
  }
  function showParams(query, given) {
    paramFields.textContent = '';
    paramsBox.hidden = !query || !query.params.length;
    if (paramsBox.hidden) { return; }
    query.params.forEach(function (param) {
      var field = document.createElement('div');
      field.className = 'field';
      var label = document.createElement('label');
      label.htmlFor = 'param-' + param.name;
      label.textContent = param.name + ' (' + param.kind + (param.optional ? ', optional' : '') + ')';
      var input = document.createElement('input');
      input.id = 'param-' + param.name;
      input.name = param.name;
      input.autocomplete = 'off';
      input.value = given[param.name] !== undefined ? given[param.name]
        : (param.optional ? '' : (query.example[param.name] || ''));
      field.appendChild(label);
      field.appendChild(input);
      paramFields.appendChild(field);
    });
  }

  /* ---- the prologue: predefined prefixes, on the query's first line ---- */
  function prologue(text) {
    var declared = {};
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:/gi;
    var m;
    while ((m = re.exec(text)) !== null) { declared[m[1] || ''] = true; }
    var parts = [];
    Object.keys(config.prefixes).forEach(function (name) {
      if (!declared[name]) { parts.push('PREFIX ' + name + ': <' + config.prefixes[name] + '> '); }
    });
    return parts.join('');
  }

  /* ---- errors: one line with the position, not the engine's list of expected tokens ---- */
  function oneLine(message, text, shift) {
    message = String(message).replace(/^(?:Error|SyntaxError):\s*/, '');
    var m = /error at (\d+):(\d+):\s*([\s\S]*)/.exec(message);
    if (!m) {
      var first = message.split('\n')[0].trim();
      return 'The query failed: ' + (first.length > 200 ? first.slice(0, 200) + '…' : first);
    }
    var line = parseInt(m[1], 10);
    var column = parseInt(m[2], 10) - (line === 1 ? shift : 0);
    var what = m[3];
    var source = text.split('\n')[line - 1] || '';
    /* Keep the engine's words and quoted tokens; drop its character classes and ranges. */
    var items = what.replace(/^expected (?:one of )?/, '').split(/,\s*/).map(function (item) {
      return item.trim();
    }).filter(function (item) {
      return /^"[^"]*"$/.test(item) || /^[A-Za-z][A-Za-z _]*$/.test(item);
    });
    var expected;
    if (items.indexOf('Prefix not found') >= 0 || /Prefix not found/.test(what)) {
      var prefixed = /([A-Za-z][\w.-]*)?:[^\s:]*\s*$/.exec(source.slice(0, Math.max(0, column - 1)));
      expected = 'unknown prefix “' + (prefixed ? (prefixed[1] || '') + ':' : '') +
        '” (declare it with PREFIX, or use a predefined one)';
    } else if (/^expected/.test(what) && items.length) {
      expected = 'expected ' + (items.length > 1 ? 'one of ' : '') +
        items.slice(0, 8).join(', ') + (items.length > 8 ? ', …' : '');
    } else if (/^expected/.test(what)) {
      expected = 'the query cannot go on here';
    } else {
      expected = what.split('\n')[0].trim();
      if (expected.length > 120) { expected = expected.slice(0, 120) + '…'; }
    }
    var near = source.slice(Math.max(0, column - 1)).trim().slice(0, 20);
    return 'Syntax error at line ' + line + ', column ' + column + ' (' +
      (near ? 'at “' + near + '”' : 'at the end of the line') + '): ' + expected;
  }

  /* ---- running ---- */
  function execute(text) {
    if (config.mode === 'local') {
      return new Promise(function (resolve) {
        resolve(store.query(text, { results_format: 'application/sparql-results+json' }));
      });
    }
    var body = new URLSearchParams();
    body.set('query', text);
    return fetch(config.endpoint, {
      method: 'POST', body: body,
      headers: { 'Accept': 'application/sparql-results+json' }
    }).then(function (response) {
      return response.text().then(function (answer) {
        if (!response.ok) { throw new Error(answer || ('HTTP ' + response.status)); }
        return answer;
      });
    });
  }

  function cellValue(term) {
    if (!term) { return ''; }
    return term.value;
  }
  function cellNode(term) {
    var cell = document.createElement('td');
    cell.dataset.value = cellValue(term);
    if (!term) { return cell; }
    if (term.type === 'uri') {
      var known = labels[term.value];
      var link = document.createElement('a');
      link.href = known && known[1] ? known[1] : term.value;
      link.textContent = known ? known[0] : term.value;
      if (known) { link.title = term.value; }
      cell.appendChild(link);
    } else if (term.type === 'bnode') {
      cell.textContent = '_:' + term.value;
    } else {
      cell.textContent = term.value;
      if (term['xml:lang']) { cell.lang = term['xml:lang']; }
    }
    return cell;
  }

  function csvField(value, alone) {
    if (value === '' && alone) { return '""'; }
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  /* The same text as `lod query NAME --format csv`: header row, IRIs in full, lexical forms. */
  function toCsv(vars, bindings) {
    var lines = [vars.map(function (v) { return csvField(v, vars.length === 1); }).join(',')];
    bindings.forEach(function (row) {
      lines.push(vars.map(function (v) { return csvField(cellValue(row[v]), vars.length === 1); }).join(','));
    });
    return lines.join('\n') + '\n';
  }
  /* SPARQL 1.1 Query Results JSON, as `lod query NAME --format json` writes it. */
  function toJson(vars, bindings) {
    var rows = bindings.map(function (row) {
      var out = {};
      vars.forEach(function (v) {
        var term = row[v];
        if (!term) { return; }
        var clean = { type: term.type === 'typed-literal' ? 'literal' : term.type, value: term.value };
        if (term['xml:lang']) { clean['xml:lang'] = term['xml:lang']; }
        else if (term.datatype && term.datatype !== XSD + 'string') { clean.datatype = term.datatype; }
        out[v] = clean;
      });
      return out;
    });
    return JSON.stringify({ head: { vars: vars }, results: { bindings: rows } }, null, 1) + '\n';
  }
  function offer(link, text, type, filename) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    urls.push(url);
    link.href = url;
    link.download = filename;
  }

  function show(document_, elapsed, filename) {
    var vars = document_.head.vars || [];
    var bindings = (document_.results && document_.results.bindings) || [];
    var head = table.tHead;
    var body = table.tBodies[0];
    head.textContent = '';
    body.textContent = '';
    var headRow = document.createElement('tr');
    vars.forEach(function (v) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = v;
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    var rows = document.createDocumentFragment();
    bindings.slice(0, SHOWN_ROWS).forEach(function (row) {
      var tr = document.createElement('tr');
      vars.forEach(function (v) { tr.appendChild(cellNode(row[v])); });
      rows.appendChild(tr);
    });
    body.appendChild(rows);
    var count = bindings.length;
    var words = count + (count === 1 ? ' row' : ' rows') + ' in ' + elapsed + ' ms';
    caption.textContent = 'Results: ' + words + (count > SHOWN_ROWS ? ' (the first ' + SHOWN_ROWS + ' shown; the downloads hold every row)' : '');
    table.dataset.rows = String(count);
    table.dataset.ms = String(elapsed);
    table.hidden = false;
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
    urls = [];
    offer(csvLink, toCsv(vars, bindings), 'text/csv;charset=utf-8', filename + '.csv');
    offer(jsonLink, toJson(vars, bindings), 'application/sparql-results+json;charset=utf-8', filename + '.json');
    downloads.hidden = false;
    setStatus(words + '.');
  }

  function clearResults() {
    table.hidden = true;
    downloads.hidden = true;
    delete table.dataset.rows;
  }

  function run() {
    var text = editor.value;
    clearResults();
    showError('');
    if (current && current.endpoint === 'wikidata' && text === current.text) {
      setStatus('This query reads Wikidata: open it in the Wikidata Query Service. It is not run here.');
      return;
    }
    var extra = '';
    try {
      if (current && text === current.text) { extra = valuesClause(paramValues()); }
    } catch (error) {
      showError(error.message);
      setStatus('The query was not run: ' + error.message);
      return;
    }
    var before = prologue(text);
    var full = before + (extra ? text.replace(/\n+$/, '') + '\n' + extra : text);
    setStatus('Running…');
    var started = performance.now();
    execute(full).then(function (answer) {
      var parsed = JSON.parse(answer);
      var elapsed = Math.round(performance.now() - started);
      if (!parsed.head) { throw new Error('only SELECT queries give a table here'); }
      show(parsed, elapsed, current && text === current.text ? current.name : 'query');
    }).catch(function (error) {
      var line = oneLine(error && error.message ? error.message : error, text, before.length);
      showError(line);
      setStatus('The query has an error: ' + line);
    });
  }

  /* ---- the URL's fragment ---- */
  function readHash() {
    var found = { name: null, sparql: null, params: {} };
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    params.forEach(function (value, key) {
      if (key === 'name') { found.name = value; }
      else if (key === 'sparql') { found.sparql = value; }
      else { found.params[key] = value; }
    });
    return found;
  }
  function hashFor() {
    var text = editor.value;
    var params = new URLSearchParams();
    if (current && text === current.text) {
      params.set('name', current.name);
      var values = paramValues();
      Object.keys(values).forEach(function (k) { params.set(k, values[k]); });
    } else {
      params.set('sparql', text);
    }
    return params.toString();
  }

  function choose(query, given) {
    current = query;
    showParams(query, given || {});
    var wikidata = !!query && query.endpoint === 'wikidata';
    about.textContent = query ? query.title + ': ' + query.description : 'A query of your own.';
    wdqsLink.hidden = !wikidata;
    if (wikidata) { wdqsLink.href = query.wdqs; }
    runButton.disabled = false;
    document.querySelectorAll('#catalogue a[data-name]').forEach(function (a) {
      if (query && a.dataset.name === query.name) { a.setAttribute('aria-current', 'true'); }
      else { a.removeAttribute('aria-current'); }
    });
  }

  function applyHash() {
    var state = readHash();
    if (state.name !== null) {
      var query = byName[state.name];
      if (!query) {
        showError('No catalogue query is named “' + state.name + '”.');
        return;
      }
      choose(query, state.params);
      editor.value = query.text;
    } else if (state.sparql !== null) {
      choose(null);
      editor.value = state.sparql;
    } else {
      return;
    }
    paint();
    run();
  }

  function ready() {
    note.hidden = true;
    form.hidden = false;
    if (!location.hash || location.hash === '#') {
      choose(byName['case-studies'] || config.queries[0]);
      editor.value = current.text;
      paint();
      setStatus('Ready: choose a query from the catalogue, or edit this one and run it.');
    } else {
      applyHash();
    }
    form.dataset.ready = String(Math.round(performance.now()));
  }

  editor.addEventListener('input', function () {
    paint();
    if (current && current.endpoint === 'wikidata') {
      wdqsLink.href = WDQS + '#' + encodeURIComponent(editor.value);
    }
  });
  editor.addEventListener('scroll', syncScroll);
  editor.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var wanted = hashFor();
    if (('#' + wanted) === location.hash) { run(); } else { location.hash = wanted; }
  });
  window.addEventListener('hashchange', applyHash);

  /* The site's copy of the dump: gzip in base64, inflated by the browser itself. */
  function graphBytes(packed) {
    var bytes;
    if (typeof Uint8Array.fromBase64 === 'function') {
      bytes = Uint8Array.fromBase64(packed);
    } else {
      var raw = atob(packed);
      bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }

  if (config.mode === 'local') {
    var inflating = performance.now();
    Promise.resolve().then(function () {
      if (!window.oxigraph || typeof window.lodGraphGzip !== 'string') { throw new Error('the query engine or the data did not load'); }
      return graphBytes(window.lodGraphGzip);
    }).then(function (graph) {
      window.lodGraphGzip = null;
      var loading = performance.now();
      store = new window.oxigraph.Store();
      /* The site's own dump, already checked when it was built: read without re-checking
         every IRI (lenient) and in one go (no transaction), about twice as fast. */
      store.load(graph, { format: 'application/n-triples', lenient: true, no_transaction: true });
      /* Where the start-up went (read by benchmarks/query_page.py). */
      window.lodQueryTimes = { scripts_ms: window.oxigraph.started,
        engine_ms: window.oxigraph.startMs, inflate_ms: loading - inflating,
        load_ms: performance.now() - loading };
      ready();
    }).catch(function (error) {
      setStatus('The query engine could not start: ' + (error && error.message ? error.message : error));
    });
  } else {
    ready();
  }
}());
