/**
 * The dashboard page: HTML, one script and one stylesheet, kept as strings so that the bundled
 * CLI carries them (no file to find at run time). Plain DOM and inline SVG sparklines: no chart
 * library, because 60 points per channel need a polyline, not uPlot's 50 KB. The script builds
 * every cell with textContent, never innerHTML: channel names and error messages come from the
 * network.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchboard dashboard</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>switchboard</h1>
  <p id="broker">connecting…</p>
  <p id="link" role="status" aria-live="polite" class="badge">waiting for data</p>
</header>
<p id="banner" role="alert" hidden></p>
<main>
  <section aria-labelledby="h-services">
    <h2 id="h-services">Services</h2>
    <div class="scroll" tabindex="0" role="region" aria-labelledby="h-services">
    <table id="services"><thead><tr>
      <th scope="col">Service</th><th scope="col">Instances</th><th scope="col">Action</th>
      <th scope="col" class="n">req/s</th><th scope="col" class="n">p50</th><th scope="col" class="n">p99</th>
      <th scope="col" class="n">handler p99</th><th scope="col" class="n">Errors</th><th scope="col" class="n">Requests</th>
    </tr></thead><tbody></tbody></table></div>
    <p class="note">req/s, p50, p99 and errors are measured on the wire, from each request to its final response as the dashboard receives them (every Daebus-compatible service, Python included); handler p99 and load come from reporting processes.</p>
  </section>
  <section aria-labelledby="h-channels">
    <h2 id="h-channels">Channels</h2>
    <div class="scroll" tabindex="0" role="region" aria-labelledby="h-channels">
    <table id="channels"><thead><tr>
      <th scope="col">Channel</th><th scope="col" class="n">msg/s</th><th scope="col">Last 60 s</th>
      <th scope="col" class="n">Total</th><th scope="col" class="n">Subscribers</th><th scope="col" class="n">Last size</th><th scope="col">Last payload</th>
    </tr></thead><tbody></tbody></table></div>
  </section>
  <div class="pair">
  <section aria-labelledby="h-patterns">
    <h2 id="h-patterns">Patterns</h2>
    <table id="patterns"><thead><tr>
      <th scope="col">Pattern</th><th scope="col" class="n">Processes</th><th scope="col" class="n">delivered/s</th>
    </tr></thead><tbody></tbody></table>
  </section>
  <section aria-labelledby="h-processes">
    <h2 id="h-processes">Reporting processes</h2>
    <div class="scroll" tabindex="0" role="region" aria-labelledby="h-processes">
    <table id="processes"><thead><tr>
      <th scope="col">Process</th><th scope="col" class="n">Published</th><th scope="col" class="n">Delivered</th>
      <th scope="col" class="n">Malformed</th><th scope="col" class="n">Dropped</th><th scope="col" class="n">Reconnects</th>
    </tr></thead><tbody></tbody></table></div>
  </section>
  </div>
  <section aria-labelledby="h-topics">
    <h2 id="h-topics">Durable topics</h2>
    <table id="topics"><thead><tr>
      <th scope="col">Topic</th><th scope="col" class="n">Length</th><th scope="col" class="n">Scheduled</th><th scope="col">Group</th>
      <th scope="col" class="n">Lag</th><th scope="col" class="n">Pending</th><th scope="col" class="n">Consumers</th><th scope="col" class="n">Dead letters</th>
    </tr></thead><tbody></tbody></table>
  </section>
  <section aria-labelledby="h-errors">
    <h2 id="h-errors">Last errors</h2>
    <table id="errors"><thead><tr>
      <th scope="col">Time</th><th scope="col">Code</th><th scope="col">Where</th><th scope="col">Message</th>
    </tr></thead><tbody></tbody></table>
  </section>
</main>
<footer><p id="updated"></p></footer>
</body>
</html>
`

export const PAGE_STYLE = `:root{--bg:#fff;--fg:#1a1a1a;--dim:#595959;--line:#d0d0d0;--head:#f2f2f2;--ok:#0b6b2f;--bad:#a4000f;--spark:#1f5fae}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#ececec;--dim:#b0b0b0;--line:#3a3a3a;--head:#1e1e1e;--ok:#5fd38a;--bad:#ff8a8a;--spark:#8ab8ff}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
h1{font-size:1.2rem;margin:0}
h2{font-size:1rem;margin:1rem 0 .3rem}
header p{margin:0;color:var(--dim)}
.badge{font-weight:600;padding:.1rem .5rem;border-radius:.3rem;border:1px solid currentColor}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad)}
#banner{margin:0;padding:.5rem 1rem;font-weight:600;color:#fff;background:#a4000f}
#banner.back{background:#0b6b2f}
main{padding:0 1rem 1rem}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,26rem),1fr));gap:0 2rem}
.scroll{overflow-x:auto}
.scroll:focus{outline:2px solid var(--spark);outline-offset:2px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid var(--line);white-space:nowrap}
th{background:var(--head);font-weight:600}
.n{text-align:right}
td.msg{white-space:normal;max-width:40rem;word-break:break-word}
td.empty{color:var(--dim);font-style:italic}
td.bad{color:var(--bad);font-weight:600}
svg{display:block}
polyline{fill:none;stroke:var(--spark);stroke-width:1.5}
.note,footer{color:var(--dim);font-size:.85rem}
footer{padding:0 1rem 1rem}
`

export const PAGE_SCRIPT = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function fmt(n, digits) {
    if (n === undefined || n === null) return '–';
    if (n >= 1000) return Math.round(n).toLocaleString('en');
    return n.toFixed(digits === undefined ? (n < 10 && n % 1 ? 1 : 0) : digits);
  }
  function ms(v) { return v === undefined || v === null ? '–' : (v < 1 ? (v * 1000).toFixed(0) + ' µs' : v.toFixed(v < 10 ? 1 : 0) + ' ms'); }
  function clock(t) { return new Date(t).toLocaleTimeString('en-GB'); }
  function cell(text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
  function spark(values) {
    var ns = 'http://www.w3.org/2000/svg', w = 120, h = 22, max = Math.max.apply(null, values.concat([1]));
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('aria-hidden', 'true');
    var line = document.createElementNS(ns, 'polyline'), pts = [];
    for (var i = 0; i < values.length; i++) pts.push((i * w / Math.max(1, values.length - 1)).toFixed(1) + ',' + (h - 1 - values[i] / max * (h - 2)).toFixed(1));
    line.setAttribute('points', pts.join(' ')); svg.appendChild(line);
    var td = document.createElement('td'); td.appendChild(svg); return td;
  }
  function fill(id, rows, empty, columns) {
    var body = $(id).tBodies[0], next = document.createDocumentFragment();
    if (rows.length === 0) { var tr = document.createElement('tr'), td = cell(empty, 'empty'); td.colSpan = columns; tr.appendChild(td); next.appendChild(tr); }
    rows.forEach(function (cells) { var tr = document.createElement('tr'); cells.forEach(function (c) { tr.appendChild(c); }); next.appendChild(tr); });
    body.replaceChildren(next);
  }
  function render(s) {
    $('broker').textContent = s.url;
    var link = $('link'), banner = $('banner');
    if (s.link.state === 'connected') {
      link.textContent = 'connected'; link.className = 'badge ok';
      if (s.link.reconnects > 0) { banner.hidden = false; banner.className = 'back'; banner.textContent = 'Redis connection restored at ' + clock(s.link.since) + ' (' + s.link.reconnects + (s.link.reconnects === 1 ? ' reconnect' : ' reconnects') + ' since the dashboard started)'; }
      else banner.hidden = true;
    } else {
      link.textContent = 'reconnecting'; link.className = 'badge bad';
      banner.hidden = false; banner.className = ''; banner.textContent = 'Redis connection lost at ' + clock(s.link.since) + ': reconnecting…' + (s.link.error ? ' (' + s.link.error + ')' : '');
    }
    var services = [];
    s.services.forEach(function (svc) {
      var inst = svc.instances.length + ' switchboard' + (svc.other ? ', ' + svc.other + ' other (Daebus)' : '') + (svc.inFlight || svc.queued ? '; ' + svc.inFlight + ' running, ' + svc.queued + ' queued' : '');
      if (svc.actions.length === 0) services.push([cell(svc.service), cell(inst), cell('no requests seen', 'empty'), cell(''), cell(''), cell(''), cell(''), cell(''), cell('')]);
      svc.actions.forEach(function (a, i) {
        services.push([cell(i === 0 ? svc.service : ''), cell(i === 0 ? inst : ''), cell(a.action), cell(fmt(a.rate), 'n'), cell(ms(a.p50Ms), 'n'), cell(ms(a.p99Ms), 'n'), cell(ms(a.handlerP99Ms), 'n'), cell(fmt(a.errors), a.errors ? 'n bad' : 'n'), cell(fmt(a.requests), 'n')]);
      });
    });
    fill('services', services, 'no services seen yet', 9);
    fill('channels', s.channels.map(function (c) {
      return [cell(c.channel), cell(fmt(c.rate), 'n'), spark(c.spark), cell(fmt(c.total), 'n'), cell(fmt(c.subscribers), 'n'), cell(c.lastBytes + ' B', 'n'), cell(s.showPayloads ? (c.preview || '') : 'hidden (--show-payloads)', s.showPayloads ? 'msg' : 'empty')];
    }), 'no messages seen yet', 7);
    fill('patterns', s.patterns.map(function (p) { return [cell(p.pattern), cell(fmt(p.processes), 'n'), cell(fmt(p.perSecond), 'n')]; }), 'no pattern subscriptions reported', 3);
    fill('processes', s.processes.map(function (p) {
      return [cell(p.name + ' (pid ' + p.pid + ' on ' + p.host + ')'), cell(fmt(p.totals.published), 'n'), cell(fmt(p.totals.delivered), 'n'), cell(fmt(p.totals.malformed), p.totals.malformed ? 'n bad' : 'n'), cell(fmt(p.totals.dropped), p.totals.dropped ? 'n bad' : 'n'), cell(fmt(p.totals.reconnects), 'n')];
    }), 'no process reports (connect({ report: true }) or SWITCHBOARD_REPORT=1)', 6);
    var topics = [];
    s.topics.list.forEach(function (t) {
      var groups = t.groups.length ? t.groups : [null];
      groups.forEach(function (g, i) {
        topics.push([cell(i === 0 ? t.name : ''), cell(i === 0 ? fmt(t.length) : '', 'n'), cell(i === 0 ? fmt(t.scheduled) : '', 'n'), cell(g ? g.name : 'no groups'), cell(g ? fmt(g.lag) : '', 'n'), cell(g ? fmt(g.pending) : '', 'n'), cell(g ? fmt(g.consumers) : '', 'n'), cell(g ? fmt(g.deadLetters) : '', g && g.deadLetters ? 'n bad' : 'n')]);
      });
    });
    fill('topics', topics, s.topics.error ? 'durable topics unavailable: ' + s.topics.error : 'no durable topics', 8);
    fill('errors', s.errors.map(function (e) {
      var where = [e.service && e.action ? e.service + '.' + e.action : e.service, e.channel, e.process].filter(Boolean).join(' · ');
      return [cell(clock(e.at)), cell(e.code, 'bad'), cell(where), cell(e.message, 'msg')];
    }), 'no errors', 4);
    $('updated').textContent = 'updated ' + clock(s.at) + ' · ' + s.channelCount + ' channels tracked';
  }
  var source = new EventSource('/events');
  source.addEventListener('state', function (event) { render(JSON.parse(event.data)); });
  source.onerror = function () { var link = $('link'); link.textContent = 'dashboard server unreachable: retrying'; link.className = 'badge bad'; };
})();
`
