// sighted web page: progressive enhancement of the server-rendered page.
// Everything shown is built with DOM nodes and textContent, never innerHTML,
// so nothing from an answer can become markup.
'use strict';

(function () {
  const EVIDENCE = {
    list: 'named in a published list of potentially impacted addresses',
    dns: "looked up a domain name of the campaign's infrastructure",
    flow: "exchanged network traffic with an address of the campaign's infrastructure",
    tls: "opened an encrypted (TLS) connection naming the campaign's server",
    http: "made a web request to the campaign's server or download address",
  };
  const CONFIDENCE = {
    high: "high: direct traffic with the campaign's own servers",
    medium: 'medium: the evidence is indirect or from a single source',
    low: 'low: for example a DNS lookup alone, which shows an attempt, not a connection',
  };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  let campaigns = null;
  async function loadCampaigns() {
    if (campaigns) return campaigns;
    try {
      const r = await fetch('/api/v1/campaigns');
      const j = await r.json();
      campaigns = {};
      for (const c of j.campaigns || []) campaigns[c.name] = c;
    } catch (e) {
      campaigns = {};
    }
    return campaigns;
  }

  function safeLink(url, text) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return null;
    return el('a', { href: url, rel: 'noopener noreferrer' }, text);
  }

  function field(dl, name, value) {
    dl.append(el('dt', {}, name), el('dd', {}, value === null || value === undefined ? 'unknown' : String(value)));
  }

  function sightingView(s, camps) {
    const art = el('article', { class: 'sighting' },
      el('h3', {}, s.title || s.campaign, ' ', el('span', { class: 'campaign-id' }, '(' + s.campaign + ')')));
    const dl = el('dl');
    if ('first_seen' in s) {
      field(dl, 'First seen', s.first_seen);
      field(dl, 'Last seen', s.last_seen);
      field(dl, 'Times seen', s.count);
      const ul = el('ul', { class: 'evidence' });
      for (const k of s.evidence || []) ul.append(el('li', {}, EVIDENCE[k] || k));
      dl.append(el('dt', {}, 'Evidence'), el('dd', {}, ul));
      field(dl, 'How sure', CONFIDENCE[s.confidence] || 'not stated by the source');
      if (s.sources && s.sources.length) field(dl, 'Sources', s.sources.join(', '));
    } else {
      field(dl, 'Details', 'This server shows only the verdict to anonymous visitors; a token holder sees dates, counts and evidence.');
    }
    art.append(dl);
    const c = camps[s.campaign];
    if (c) {
      art.append(el('h4', {}, 'What to do'),
        el('p', {}, c.remediation || "Check the machines behind this address for the campaign's software and follow the advisory."));
      const a = safeLink(c.advisory, 'Read the advisory');
      if (a) art.append(el('p', {}, a));
    }
    return art;
  }

  function resultView(res, camps, own) {
    const listed = !!res.listed;
    const sec = el('section', { id: 'verdict', class: 'verdict ' + (listed ? 'listed' : 'not-listed'), 'aria-live': 'polite' });
    sec.append(el('h2', {}, own ? 'Your address ' : '', el('span', { class: 'addr' }, res.query), ' ',
      el('strong', {}, listed ? 'was seen' : 'was not seen'),
      listed ? " talking to a campaign's infrastructure" : ' in this snapshot'));
    if (!listed) {
      sec.append(el('p', {}, 'No sighting of this address is recorded. That is good news, not a guarantee: the data covers only what the sources saw during each campaign\'s window.'));
      return sec;
    }
    sec.append(el('p', {}, 'This is ', el('em', {}, 'potentially impacted'), ': a machine using it was seen in contact with the infrastructure of the campaign below. It does not prove a compromise (addresses are shared and change); see the methodology.'));
    for (const m of res.matches || []) {
      if (m.key !== res.query) sec.append(el('p', { class: 'via' }, 'Listed through ' + m.key + ':'));
      for (const s of m.sightings || []) sec.append(sightingView(s, camps));
    }
    if (res.inside) {
      sec.append(el('h3', {}, res.inside.count + ' listed entr' + (res.inside.count === 1 ? 'y' : 'ies') + ' inside ' + res.query +
        (res.inside.truncated ? ' (first ' + res.inside.entries.length + ' shown)' : '')));
      for (const e of res.inside.entries || []) {
        const d = el('details', {}, el('summary', {}, e.key));
        for (const s of e.sightings || []) d.append(sightingView(s, camps));
        sec.append(d);
      }
    }
    return sec;
  }

  function errorView(err, status, retry) {
    const msg = (err && err.message) || ('The server answered ' + status + '.');
    const sec = el('section', { id: 'verdict', class: 'verdict refused', 'aria-live': 'polite' },
      el('h2', {}, 'Cannot answer'), el('p', {}, msg));
    if (retry) sec.append(el('p', {}, 'Please try again in ' + retry + ' seconds.'));
    return sec;
  }

  async function check(form) {
    const out = document.getElementById('result');
    const q = form.querySelector('#ip').value.trim();
    const token = form.querySelector('#token').value.trim();
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const url = q ? '/api/v1/check/' + encodeURIComponent(q) : '/api/v1/check';
    out.setAttribute('aria-busy', 'true');
    try {
      const [r, camps] = await Promise.all([fetch(url, { headers }), loadCampaigns()]);
      const j = await r.json();
      out.replaceChildren(r.ok ? resultView(j.result, camps, !q) : errorView(j.error, r.status, r.headers.get('Retry-After')));
      const u = new URL(location.href);
      if (q) u.searchParams.set('ip', q); else u.searchParams.delete('ip');
      history.replaceState(null, '', u);
    } catch (e) {
      out.replaceChildren(errorView({ message: 'The server could not be reached.' }, 0));
    } finally {
      out.removeAttribute('aria-busy');
      const v = document.getElementById('verdict');
      if (v) { v.setAttribute('tabindex', '-1'); v.focus(); }
    }
  }

  function chart(stats) {
    const box = document.getElementById('chart');
    const camps = (stats.campaigns || []).filter(c => c.per_day && c.per_day.length);
    box.replaceChildren();
    if (!camps.length) { box.append(el('p', {}, 'No dated sightings in this snapshot.')); return; }
    const day = s => Date.parse(s + 'T00:00:00Z') / 86400000;
    let lo = Infinity, hi = -Infinity, max = 1;
    for (const c of camps) for (const [d, n] of c.per_day) { lo = Math.min(lo, day(d)); hi = Math.max(hi, day(d)); max = Math.max(max, n); }
    const W = 640, H = 260, L = 40, B = 30, T = 10, R = 10;
    const x = d => L + (hi === lo ? (W - L - R) / 2 : (d - lo) / (hi - lo) * (W - L - R));
    const y = n => H - B - n / max * (H - B - T);
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('class', 'chart-svg');
    svg.setAttribute('aria-hidden', 'true');
    const mk = (tag, a, text) => { const e = document.createElementNS(NS, tag); for (const k in a) e.setAttribute(k, a[k]); if (text) e.textContent = text; return e; };
    svg.append(mk('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }));
    svg.append(mk('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
    svg.append(mk('text', { x: L - 4, y: T + 8, 'text-anchor': 'end', class: 'tick' }, String(max)));
    svg.append(mk('text', { x: L - 4, y: H - B, 'text-anchor': 'end', class: 'tick' }, '0'));
    const iso = d => new Date(d * 86400000).toISOString().slice(0, 10);
    svg.append(mk('text', { x: L, y: H - 8, class: 'tick' }, iso(lo)));
    svg.append(mk('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'tick' }, iso(hi)));
    const legend = document.getElementById('legend');
    legend.replaceChildren();
    const list = el('ul', { class: 'legend' });
    camps.forEach((c, i) => {
      const pts = c.per_day.map(([d, n]) => `${x(day(d)).toFixed(1)},${y(n).toFixed(1)}`).join(' ');
      svg.append(mk('polyline', { points: pts, class: 'series s' + (i % 6) }));
      for (const [d, n] of c.per_day) svg.append(mk('circle', { cx: x(day(d)).toFixed(1), cy: y(n).toFixed(1), r: 2.5, class: 'dot s' + (i % 6) }));
      list.append(el('li', { class: 'key s' + (i % 6) }, (c.title || c.name) + ' (' + c.name + ')'));
    });
    box.append(svg);
    legend.append(list);
    const table = el('table', {}, el('caption', {}, 'Sightings by campaign'),
      el('thead', {}, el('tr', {}, ...['Campaign', 'Entries', 'IPv4', 'IPv6', 'Times seen', 'High confidence'].map(h => el('th', { scope: 'col' }, h)))));
    const tb = el('tbody');
    for (const c of stats.campaigns || []) tb.append(el('tr', {}, el('th', { scope: 'row' }, c.name), ...[c.entries, c.ipv4, c.ipv6, c.count, c.confidence ? c.confidence.high : 0].map(v => el('td', {}, String(v)))));
    table.append(tb);
    document.getElementById('totals').replaceChildren(table);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('check-form');
    if (form) {
      for (const e of form.querySelectorAll('.js-only')) e.hidden = false;
      form.addEventListener('submit', ev => { ev.preventDefault(); check(form); });
    }
    if (document.getElementById('chart')) {
      fetch('/api/v1/stats').then(r => r.json()).then(j => chart(j.stats)).catch(() => {});
    }
  });
})();
