/* The matrix page's behaviour: tabs, filters, grouping, permalinks and the evidence panel.
   Every string shown comes from results.json: it is only ever set as textContent. */
(function () {
  'use strict';
  var doc = document;
  doc.documentElement.classList.add('js');
  var D = JSON.parse(doc.getElementById('matrix-data').textContent);
  var table = doc.getElementById('matrix');
  var rowEls = Array.prototype.slice.call(table.querySelectorAll('tr.row'));
  var byIndex = [];
  rowEls.forEach(function (tr) { byIndex[+tr.getAttribute('data-r')] = tr; });
  var ids = {};
  D.rows.forEach(function (r, i) { ids[r.id] = i; });
  var colKey = {};
  D.cols.forEach(function (c, i) { colKey[c.k] = i; });
  var NC = D.cols.length;
  var NAMES = {p: 'pass', o: 'old rule (pass)', f: 'fail', q: 'old rule (fail)', e: 'error', s: 'skip', n: 'not applicable', x: 'not run'};
  var SYM = {p: '\u2713', o: '(\u2713)', f: '\u2717', q: '(\u2717)', e: '!', s: '\u2298', n: '\u2013', x: '\u00b7'};
  var OUTCOME_CODE = {pass: 'p', fail: 'f', error: 'e', skip: 's', 'not-applicable': 'n'};

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* ---------------------------------------------------------------- tabs */
  var tabs = Array.prototype.slice.call(doc.querySelectorAll('nav.tabs a'));
  function showTab(id) {
    if (id !== 'tab-matrix' && typeof closePanel === 'function' && !panel.hidden) closePanel(true);
    tabs.forEach(function (a) {
      var on = a.getAttribute('data-tab') === id;
      a.classList.toggle('on', on);
      var tab = doc.getElementById(a.getAttribute('data-tab'));
      tab.classList.remove('later');
      tab.hidden = !on;
    });
  }
  showTab('tab-matrix');

  /* ------------------------------------------------------------- filters */
  var f = {
    q: doc.getElementById('q'), svc: doc.getElementById('f-svc'), api: doc.getElementById('f-api'),
    kind: doc.getElementById('f-kind'), vin: doc.getElementById('f-in'), target: doc.getElementById('f-target'),
    chg: doc.getElementById('f-chg'), group: doc.getElementById('f-group'),
    outcomes: Array.prototype.slice.call(doc.querySelectorAll('input[name=outcome]'))
  };
  var hideStyle = doc.createElement('style');
  doc.head.appendChild(hideStyle);
  var hay = D.rows.map(function (r) { return (r.id + ' ' + r.ti + ' ' + r.src).toLowerCase(); });

  function visibleColumns() {
    var t = f.target.value, vis = [];
    for (var i = 0; i < NC; i++) if (!t || D.cols[i].t === t) vis.push(i);
    return vis;
  }

  var wrap = doc.getElementById('grid-wrap'), head = doc.getElementById('matrix-head');
  function hideColumns(vis) {
    wrap.style.setProperty('--n', String(vis.length));
    if (vis.length === NC) { hideStyle.textContent = ''; return; }
    var keep = {}, rules = [];
    vis.forEach(function (i) { keep[i] = true; });
    for (var i = 0; i < NC; i++) {
      if (keep[i]) continue;
      rules.push('#matrix tr.row>:nth-child(' + (i + 2) + ')', 'table.grid col:nth-child(' + (i + 2) + ')',
        'table.grid tr.heading>:nth-child(' + (i + 2) + ')', '#headings tr.versions>:nth-child(' + (i + 2) + ')',
        '#matrix-head tr.versions>:nth-child(' + (i + 1) + ')', '#matrix-head tr.counts>:nth-child(' + (i + 1) + ')');
    }
    var ts = head.querySelectorAll('tr.targets th.tgt');
    for (var k = 0; k < ts.length; k++) {
      if (f.target.value && ts[k].textContent !== f.target.value) rules.push('#matrix-head tr.targets>:nth-child(' + (k + 2) + ')');
    }
    hideStyle.textContent = rules.join(',') + '{display:none}';
  }

  function applyFilters() {
    var words = f.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var want = {}, anyOutcome = false;
    f.outcomes.forEach(function (c) { if (c.checked) { want[c.value] = true; anyOutcome = true; } });
    if (want.f) want.q = true;
    var vis = visibleColumns();
    hideColumns(vis);
    var shown = 0, show = [];
    for (var i = 0; i < D.rows.length; i++) {
      var r = D.rows[i], ok = true, j;
      for (j = 0; ok && j < words.length; j++) ok = hay[i].indexOf(words[j]) >= 0;
      if (ok && f.svc.value) ok = r.svc === f.svc.value;
      if (ok && f.api.value) ok = r.api.indexOf(f.api.value) >= 0;
      if (ok && f.kind.value) ok = r.kind === f.kind.value;
      if (ok && f.vin.value) ok = r['in'] === f.vin.value;
      if (ok && vis.length < NC) {
        ok = false;
        for (j = 0; !ok && j < vis.length; j++) ok = r.o.charAt(vis[j]) !== 'x';
      }
      if (ok && anyOutcome) {
        ok = false;
        for (j = 0; !ok && j < vis.length; j++) ok = want[r.o.charAt(vis[j])] === true;
      }
      if (ok && f.chg && f.chg.checked) {
        ok = false;
        for (j = 0; !ok && j < vis.length; j++) ok = Object.prototype.hasOwnProperty.call(r.c, String(vis[j]));
      }
      if (byIndex[i].hidden === ok) byIndex[i].hidden = !ok;
      show[i] = ok;
      if (ok) shown++;
    }
    groupsOf(f.group.value).forEach(function (g) {
      var n = 0;
      g._rows.forEach(function (i) { if (show[i]) n++; });
      if (g.hidden !== (n === 0)) g.hidden = n === 0;
      g.style.setProperty('--rows', String(n));
      var gn = g.querySelector('.gn');
      if (gn) gn.textContent = n === g._rows.length ? String(n) : n + ' of ' + g._rows.length;
    });
    doc.getElementById('shown').textContent = shown + ' of ' + D.rows.length + ' cases';
  }

  /* ------------------------------------------------------------ grouping */
  var colgroup = table.querySelector('colgroup');
  var grouped = {introduced: Array.prototype.slice.call(table.children)};
  grouped.introduced.forEach(function (g) {
    g._rows = Array.prototype.map.call(g.querySelectorAll('tr.row'), function (tr) { return +tr.getAttribute('data-r'); });
  });
  var current = 'introduced';
  function groupsOf(mode) {
    if (!grouped[mode]) {
      var keyOf = mode === 'service' ? function (r) { return r.svc; } : function (r) { return r.api[0] || '(none)'; };
      var names = {}, order = [];
      D.rows.forEach(function (r, i) {
        var k = keyOf(r);
        if (!names[k]) { names[k] = []; order.push(k); }
        names[k].push(i);
      });
      order.sort();
      grouped[mode] = order.map(function (k) {
        var g = el('div', 'grp'), t = el('table', 'grid'), tb = el('tbody'), tr = el('tr', 'group'), th = el('th'), sp = el('span');
        th.colSpan = NC + 1;
        sp.appendChild(doc.createTextNode((mode === 'service' ? 'Service ' : 'API ') + k + ' \u00b7 '));
        sp.appendChild(el('span', 'gn', names[k].length));
        sp.appendChild(doc.createTextNode(' change(s)'));
        th.appendChild(sp); tr.appendChild(th); tb.appendChild(tr);
        t.appendChild(colgroup.cloneNode(true)); t.appendChild(tb); g.appendChild(t);
        g._rows = names[k];
        return g;
      });
    }
    return grouped[mode];
  }
  function groupBy(mode) {
    var groups = groupsOf(mode);
    if (mode !== current) {
      var frag = doc.createDocumentFragment();
      groups.forEach(function (g) {
        var tb = g.querySelector('tbody');
        g._rows.forEach(function (i) { tb.appendChild(byIndex[i]); });
        frag.appendChild(g);
      });
      table.textContent = '';
      table.appendChild(frag);
      current = mode;
    }
    applyFilters();
  }

  ['input', 'change'].forEach(function (ev) { doc.getElementById('filters').addEventListener(ev, function (e) {
    if (e.target === f.group) { if (ev === 'change') groupBy(f.group.value); return; }
    applyFilters();
  }); });
  doc.getElementById('f-reset').addEventListener('click', function () {
    doc.getElementById('filters').reset();
    groupBy('introduced');
  });

  /* ------------------------------------------------------------ evidence */
  var cache = {};
  function unpack(i) {
    if (cache[i]) return cache[i];
    var bin = atob(D.ev[i]), bytes = new Uint8Array(bin.length);
    for (var k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    if (typeof DecompressionStream === 'undefined') {
      return Promise.reject(new Error('this browser cannot unpack the evidence (no DecompressionStream); open the page in a current browser'));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    cache[i] = new Response(stream).text().then(JSON.parse);
    return cache[i];
  }

  function pretty(xml) {
    var toks = String(xml).match(/<[^>]*>|[^<]+/g) || [], out = [], depth = 0, pad = function (n) { return new Array(n + 1).join('  '); };
    for (var i = 0; i < toks.length; i++) {
      var t = toks[i];
      if (t.charAt(0) !== '<') { if (t.trim()) out.push(pad(depth) + t.trim()); continue; }
      if (t.charAt(1) === '/') { depth = Math.max(0, depth - 1); out.push(pad(depth) + t); continue; }
      if (t.charAt(1) === '?' || t.charAt(1) === '!' || /\/>$/.test(t)) { out.push(pad(depth) + t); continue; }
      var next = toks[i + 1], after = toks[i + 2];
      if (next !== undefined && next.charAt(0) !== '<' && after !== undefined && after.charAt(1) === '/') {
        out.push(pad(depth) + t + next + after); i += 2; continue;
      }
      if (next !== undefined && next.charAt(1) === '/') { out.push(pad(depth) + t + next); i += 1; continue; }
      out.push(pad(depth) + t); depth++;
    }
    return out.join('\n');
  }

  function numbered(text, lines) {
    var pre = el('pre');
    String(text).split('\n').forEach(function (line, i) {
      var span = el('span', lines[i + 1] ? 'hl' : '');
      span.appendChild(el('span', 'ln', (i + 1) + '  '));
      span.appendChild(doc.createTextNode(line + '\n'));
      pre.appendChild(span);
    });
    return pre;
  }

  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === '') return;
      d.appendChild(el('dt', '', p[0]));
      var dd = el('dd');
      if (p[1] instanceof Node) dd.appendChild(p[1]); else dd.textContent = String(p[1]);
      d.appendChild(dd);
    });
    return d;
  }

  function link(href, text) { var a = el('a', '', text); a.href = href; return a; }

  function headingLine(r) {
    var p = el('p');
    p.appendChild(doc.createTextNode('Release note ' + r['in'] + ': '));
    p.appendChild(link('#' + r.h, '\u201c' + r.src + '\u201d'));
    return p;
  }

  function verdictTable(step) {
    var t = el('table', 'verdicts'), head = el('tr');
    var where = step.verdicts.some(function (v) { return v.path || (v.line !== null && v.line !== undefined); });
    var cols = ['check', 'outcome', 'expected', 'actual'];
    if (where) cols.push('where');
    cols.forEach(function (h) { head.appendChild(el('th', '', h)); });
    t.appendChild(head);
    step.verdicts.forEach(function (v) {
      var tr = el('tr', 'v-' + v.outcome);
      var cells = [v.check, v.outcome.toUpperCase(), v.expected, v.actual + (v.detail && v.check !== 'drift' ? ' (' + v.detail + ')' : '')];
      if (where) cells.push((v.path || '') + (v.line === null || v.line === undefined ? '' : ' line ' + v.line));
      cells.forEach(function (x) { tr.appendChild(el('td', '', x)); });
      t.appendChild(tr);
    });
    return t;
  }

  function copyButton(text) {
    var b = el('button', '', 'copy');
    b.type = 'button';
    b.addEventListener('click', function () {
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { b.textContent = 'copied'; }, function () {});
    });
    return b;
  }

  var panel = doc.getElementById('panel'), body = doc.getElementById('panel-body'), plink = doc.getElementById('panel-link');
  var selected = null;
  function select(td) {
    if (selected) selected.classList.remove('sel');
    selected = td;
    if (td) { td.classList.add('sel'); td.scrollIntoView({block: 'nearest', inline: 'nearest'}); }
  }

  function cellPermalink(ri, ci) { return '#' + D.rows[ri].id + '/' + D.cols[ci].k; }

  function openRow(ri) {
    var r = D.rows[ri];
    body.textContent = '';
    body.appendChild(el('h2', '', r.id));
    body.appendChild(el('p', '', r.ti));
    body.appendChild(headingLine(r));
    body.appendChild(dl([['introduced', r['in']], ['kind', r.kind], ['service', r.svc], ['APIs', r.api.join(', ')]]));
    body.appendChild(el('h3', '', 'Per column'));
    var t = el('table');
    for (var ci = 0; ci < NC; ci++) {
      var tr = el('tr'), code = r.o.charAt(ci), td = el('td'), c = D.cols[ci];
      td.appendChild(link(cellPermalink(ri, ci), c.t + ' ' + c.v));
      tr.appendChild(td);
      tr.appendChild(el('td', code, SYM[code] + ' ' + NAMES[code]));
      t.appendChild(tr);
    }
    body.appendChild(t);
    plink.href = '#' + r.id;
    show();
    select(null);
    byIndex[ri].scrollIntoView({block: 'nearest'});
  }

  function openCell(ri, ci) {
    var r = D.rows[ri], c = D.cols[ci], code = r.o.charAt(ci);
    body.textContent = '';
    body.appendChild(el('h2', '', r.id));
    body.appendChild(el('p', '', r.ti));
    var status = el('p');
    status.appendChild(el('span', 'badge ' + code, SYM[code] + ' ' + NAMES[code].toUpperCase()));
    status.appendChild(doc.createTextNode(' at ' + c.t + ' ' + c.v));
    body.appendChild(status);
    body.appendChild(headingLine(r));
    if (Object.prototype.hasOwnProperty.call(r.c, String(ci))) {
      var was = r.c[String(ci)];
      body.appendChild(el('p', 'changed', 'Changed versus the baseline: ' + (was === null ? 'not in the baseline' : was) +
        ' \u2192 ' + NAMES[code]));
    }
    plink.href = cellPermalink(ri, ci);
    show();
    select(byIndex[ri].cells[ci + 1]);
    if (code === 'x') { body.appendChild(el('p', 'note', 'This case did not run for this column.')); return; }
    var wait = el('p', 'note', 'Unpacking evidence\u2026');
    body.appendChild(wait);
    unpack(ri).then(function (ev) {
      wait.remove();
      renderEvidence(ev[String(ci)], r);
    }, function (err) { wait.textContent = 'Evidence unavailable: ' + err.message; });
  }

  function renderEvidence(e, r) {
    if (!e) { body.appendChild(el('p', 'note', 'No evidence recorded.')); return; }
    if (e.reason) body.appendChild(dl([['reason', e.reason]]));
    body.appendChild(dl([['error kind', e.error_kind], ['schema bundle', e.bundle], ['endpoint', e.endpoint],
      ['started', e.started_at], ['duration', e.duration_ms === null ? '' : Math.round(e.duration_ms) + ' ms']]));
    var cmd = el('div', 'cmd');
    cmd.appendChild(el('pre', '', e.reproduce));
    cmd.appendChild(copyButton(e.reproduce));
    body.appendChild(el('h3', '', 'Reproduce'));
    body.appendChild(cmd);
    if (e.boundary) {
      body.appendChild(el('h3', '', 'Boundary test'));
      var b = e.boundary, pairs = [];
      ['limit', 'scenario', 'phase', 'unit', 'bound', 'inclusive', 'input_size', 'reading', 'seed'].forEach(function (k) {
        if (b[k] !== undefined && b[k] !== null) pairs.push([k, String(b[k])]);
      });
      body.appendChild(dl(pairs));
      if (b.example !== undefined && b.example !== null) {
        body.appendChild(el('p', '', 'Shrunk input (masked):'));
        body.appendChild(el('pre', '', typeof b.example === 'string' ? b.example : JSON.stringify(b.example, null, 1)));
      }
      (b.failures || []).forEach(function (x) {
        body.appendChild(el('p', '', (x.phase || '') + ' ' + (x.scenario || '') + ' on ' + (x.api || '') + ': size ' + x.input_size +
          ' (bound ' + x.bound + '): expected ' + x.expected + '; got ' + x.actual + (x.request_file ? ' \u2014 request saved as ' + x.request_file : '')));
        if (x.example !== undefined && x.example !== null) body.appendChild(el('pre', '', String(x.example)));
      });
    }
    e.steps.forEach(function (s, k) {
      // a step that sent nothing itself (a boundary test's summary: its examples are above)
      var exchanged = !!(s.request || s.response || s.status !== null);
      body.appendChild(el('h3', '', 'Step ' + (k + 1) + ': ' + s.name));
      body.appendChild(dl([['API', s.api], ['as', s.role + ' on site ' + s.site],
        ['HTTP', !exchanged ? '' : s.status === null ? 'no answer' : s.status], ['time', s.elapsed_ms === null ? '' : s.elapsed_ms + ' ms'],
        ['attempts', s.attempts > 1 ? s.attempts : '']]));
      if (s.verdicts.length) body.appendChild(verdictTable(s));
      var schemaBad = s.verdicts.filter(function (v) { return v.check.indexOf('schema') === 0 && v.outcome !== 'pass' && v.outcome !== 'info'; });
      var lines = {};
      if (schemaBad.length) {
        body.appendChild(el('p', '', 'Schema errors (line numbers of the response as received):'));
        var ul = el('ul');
        schemaBad.forEach(function (v) {
          if (v.line) lines[v.line] = true;
          ul.appendChild(el('li', '', (v.line ? 'line ' + v.line + ': ' : '') + v.actual + (v.path ? ' at ' + v.path : '') + (v.detail ? ' (' + v.detail + ')' : '')));
        });
        body.appendChild(ul);
      }
      if (!exchanged) {
        body.appendChild(el('p', 'muted', e.boundary ? 'No single exchange: this step stands for every example the boundary test sent (summarized above; each failing one is saved as a request file).' : 'No request was sent for this step.'));
        return;
      }
      body.appendChild(el('p', '', 'Request (masked, pretty-printed):'));
      body.appendChild(el('pre', '', pretty(s.request)));
      body.appendChild(el('p', '', 'Response (masked, pretty-printed):'));
      body.appendChild(el('pre', '', pretty(s.response)));
      var det = el('details');
      det.appendChild(el('summary', '', 'Response as received, with line numbers'));
      det.appendChild(numbered(s.response, lines));
      body.appendChild(det);
    });
    if (e.drift && e.drift.length) {
      var dd = el('details');
      dd.appendChild(el('summary', '', 'Drift: ' + e.drift.length + ' undocumented element(s), not a failure'));
      dd.appendChild(el('pre', '', e.drift.join('\n')));
      body.appendChild(dd);
    }
  }

  function show() { panel.hidden = false; doc.body.classList.add('panel-open'); }
  function closePanel(keepHash) {
    panel.hidden = true;
    doc.body.classList.remove('panel-open');
    select(null);
    if (location.hash && keepHash !== true) history.replaceState(null, '', location.pathname + location.search);
  }
  doc.getElementById('panel-close').addEventListener('click', function () { closePanel(); });
  doc.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !panel.hidden) closePanel(); });

  table.addEventListener('click', function (e) {
    var td = e.target.closest('td');
    if (!td || !td.parentNode.classList.contains('row')) return;
    var ri = +td.parentNode.getAttribute('data-r'), ci = td.cellIndex - 1;
    if (ci < 0) return;
    var h = cellPermalink(ri, ci);
    if (location.hash === h) openCell(ri, ci); else location.hash = h;
  });

  /* ---------------------------------------------------------- permalinks */
  function route() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (!h) return;
    for (var t = 0; t < tabs.length; t++) if (tabs[t].getAttribute('data-tab') === h) { showTab(h); return; }
    var target = doc.getElementById(h);
    if (target && target.classList.contains('heading')) {
      showTab('tab-headings');
      target.scrollIntoView({block: 'center'});
      return;
    }
    var best = null;
    for (var id in ids) {
      if ((h === id || h.indexOf(id + '/') === 0) && (best === null || id.length > best.length)) best = id;
    }
    if (best === null) return;
    showTab('tab-matrix');
    var ri = ids[best], rest = h.slice(best.length + 1);
    if (byIndex[ri].hidden) { doc.getElementById('filters').reset(); groupBy(f.group.value); }
    if (!rest) { openRow(ri); return; }
    if (Object.prototype.hasOwnProperty.call(colKey, rest)) openCell(ri, colKey[rest]);
    else openRow(ri);
  }
  window.addEventListener('hashchange', route);
  route();
  window.__matrix = {applyFilters: applyFilters, groupBy: groupBy, openCell: openCell, unpack: unpack, outcomeCode: OUTCOME_CODE};
})();
