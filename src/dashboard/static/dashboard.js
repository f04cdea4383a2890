// AetherLink Auto-Heal dashboard: plain browser JavaScript, no build step, no library, no CDN.
// Every figure comes from the service's REST API with the pasted bearer token (kept in sessionStorage).
(function () {
  'use strict';

  var TOKEN_KEY = 'autoheal.dashboard.token';
  var REFRESH_MS = 3000;
  var TERMINAL = { recovered: true, resolved: true, expired: true };
  var state = { me: null, timer: null, busy: false };

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function api(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token() } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      if (res.status === 204) return null;
      return res.text().then(function (text) {
        var data = text ? JSON.parse(text) : null;
        if (!res.ok) {
          var error = new Error((data && data.message) || res.status + ' ' + res.statusText);
          error.status = res.status;
          throw error;
        }
        return data;
      });
    });
  }

  function ago(iso) {
    if (!iso) return '–';
    var seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 0) return 'in ' + duration(-seconds);
    return duration(seconds) + ' ago';
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    if (seconds < 90) return Math.round(seconds) + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    return (seconds / 3600).toFixed(1) + ' h';
  }

  function showError(message) {
    $('error').textContent = message || '';
  }

  // ---- sign in / out ----

  function signIn(value) {
    sessionStorage.setItem(TOKEN_KEY, value.trim());
    return api('GET', '/autoheal/me').then(
      function (me) {
        state.me = me;
        $('sign-in-error').textContent = '';
        $('sign-in').hidden = true;
        $('app').hidden = false;
        $('who').hidden = false;
        $('who-subject').textContent = me.subject;
        $('who-roles').textContent = me.roles.join(', ');
        $('who-tenants').textContent = me.tenants ? 'tenants: ' + me.tenants.join(', ') : 'all tenants';
        applyRole(me);
        refresh();
        state.timer = setInterval(refresh, REFRESH_MS);
      },
      function (error) {
        sessionStorage.removeItem(TOKEN_KEY);
        $('sign-in-error').textContent = 'Sign-in failed: ' + error.message;
      },
    );
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(state.timer);
    state.me = null;
    $('app').hidden = true;
    $('who').hidden = true;
    $('sign-in').hidden = false;
    $('token').value = '';
  }

  /** Panels the role may not read are hidden; forms and buttons only for the roles that may use them. */
  function applyRole(me) {
    document.body.dataset.role = me.roles.join(' ');
    document.querySelectorAll('[data-needs]').forEach(function (node) {
      node.hidden = !me.may[node.getAttribute('data-needs')];
    });
    document.querySelectorAll('form[data-action]').forEach(function (form) {
      form.hidden = !may(form.getAttribute('data-action'));
    });
    $('viewer-note').hidden = me.may.read_autoheal;
  }

  function may(action) {
    return !!(state.me && state.me.may[action]);
  }

  // ---- actions ----

  function act(button, method, path, body) {
    button.disabled = true;
    return api(method, path, body).then(
      function () {
        button.disabled = false;
        showError('');
        return refresh();
      },
      function (error) {
        button.disabled = false;
        showError(method + ' ' + path + ': ' + error.message);
      },
    );
  }

  function actionButton(label, className, onClick) {
    var button = el('button', { type: 'button', className: 'small ' + (className || ''), text: label });
    button.addEventListener('click', function () {
      onClick(button);
    });
    return button;
  }

  function setControls(button, change, needsReason) {
    var reason = $('ctl-reason-input').value.trim();
    if (needsReason && !reason) {
      showError('Give a reason: it is recorded with the change and shown to everyone.');
      $('ctl-reason-input').focus();
      return;
    }
    if (reason) change.reason = reason;
    act(button, 'PUT', '/autoheal/controls', change).then(function () {
      $('ctl-reason-input').value = '';
    });
  }

  // ---- rendering ----

  /** Each table[data-columns] gets its head (the comma-separated names; data-buttons adds an unnamed last one) and an empty body. */
  function buildTables() {
    document.querySelectorAll('table[data-columns]').forEach(function (table) {
      var names = table.getAttribute('data-columns').split(/\s*,\s*/);
      if (table.hasAttribute('data-buttons')) names.push('');
      var head = el(
        'tr',
        {},
        names.map(function (name) {
          return el('th', { text: name });
        }),
      );
      table.replaceChildren(el('thead', {}, [head]), el('tbody'));
    });
  }

  function fillTable(id, rows, empty) {
    var body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      var cols = $(id).querySelectorAll('thead th').length;
      body.appendChild(el('tr', { className: 'empty' }, [el('td', { colspan: String(cols), text: empty })]));
      return;
    }
    rows.forEach(function (cells) {
      var tr = el('tr', { className: cells.className || '' });
      if (cells.id) tr.setAttribute('data-id', cells.id);
      cells.cells.forEach(function (cell) {
        var td = el('td');
        if (cell instanceof Node) td.appendChild(cell);
        else if (Array.isArray(cell))
          cell.forEach(function (c) {
            td.appendChild(c);
          });
        else td.textContent = cell === null || cell === undefined ? '–' : String(cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function stateBadge(value) {
    return el('span', { className: 'badge state-' + value, text: value });
  }

  function renderControls(controls) {
    $('ctl-enabled').textContent = controls.autoheal_enabled ? 'on' : 'OFF (kill switch)';
    $('ctl-enabled').className = 'state ' + (controls.autoheal_enabled ? 'ok' : 'bad');
    $('ctl-dry-run').textContent = controls.dry_run ? 'on (nothing is sent)' : 'off';
    $('ctl-dry-run').className = 'state ' + (controls.dry_run ? 'warn' : 'ok');
    $('ctl-reason').textContent = controls.reason || '–';
  }

  /** Active incidents first (newest first within each group), then the closed ones. */
  function renderIncidents(incidents) {
    var sorted = incidents.filter(function (i) {
      return !TERMINAL[i.state];
    });
    sorted = sorted.concat(
      incidents.filter(function (i) {
        return TERMINAL[i.state];
      }),
    );
    var rows = sorted.map(function (i) {
      var buttons = [];
      if (may('operate') && !TERMINAL[i.state]) {
        buttons.push(
          actionButton('Resolve', 'secondary', function (b) {
            act(b, 'POST', '/autoheal/incidents/' + i.id + '/resolve', { note: 'resolved from the dashboard' });
          }),
        );
      }
      return {
        id: i.id,
        className: TERMINAL[i.state] ? 'done' : 'active',
        cells: [
          i.tenant_id,
          i.endpoint,
          stateBadge(i.state),
          i.severity,
          i.backlog_size,
          i.probes,
          i.delivered_by_heal,
          duration(i.time_to_heal_seconds),
          ago(i.opened_at),
          buttons,
        ],
      };
    });
    fillTable('incidents', rows, 'No incident.');
  }

  function renderApprovals(approvals) {
    var rows = approvals.map(function (a) {
      var buttons = [];
      if (may('operate')) {
        buttons.push(
          actionButton('Approve', '', function (b) {
            act(b, 'POST', '/autoheal/approvals/' + a.id + '/approve', { note: 'approved from the dashboard' });
          }),
          actionButton('Reject', 'danger', function (b) {
            act(b, 'POST', '/autoheal/approvals/' + a.id + '/reject', { note: 'rejected from the dashboard' });
          }),
        );
      }
      var plan = a.plan || {};
      return {
        id: a.id,
        cells: [a.tenant_id, plan.target, plan.count + ' deliveries since ' + ago(plan.oldest_at), ago(a.expires_at), buttons],
      };
    });
    fillTable('approvals', rows, 'Nothing waits for an approval.');
  }

  function renderEscalations(escalations) {
    var rows = escalations
      .filter(function (e) {
        return e.status !== 'resolved';
      })
      .map(function (e) {
        var buttons = [];
        if (may('operate')) {
          if (e.status === 'open') {
            buttons.push(
              actionButton('Acknowledge', '', function (b) {
                act(b, 'POST', '/autoheal/escalations/' + e.id + '/ack');
              }),
            );
          }
          buttons.push(
            actionButton('Resolve', 'secondary', function (b) {
              act(b, 'POST', '/autoheal/escalations/' + e.id + '/resolve');
            }),
          );
        }
        return {
          id: e.id,
          cells: [
            e.tenant_id,
            e.endpoint,
            e.priority,
            stateBadge(e.status),
            e.reason,
            e.occurrences + '× · ' + ago(e.last_seen_at),
            buttons,
          ],
        };
      });
    fillTable('escalations', rows, 'No open escalation.');
  }

  function summarizeResult(result) {
    if (!result) return '';
    var parts = [];
    ['check', 'reason', 'message', 'count', 'delivered', 'still_failing', 'would_probe'].forEach(function (key) {
      if (result[key] !== undefined && result[key] !== null) parts.push(key + ': ' + JSON.stringify(result[key]));
    });
    if (result.would_drain) parts.push('would drain ' + result.would_drain.count);
    return parts.join(' · ') || JSON.stringify(result).slice(0, 160);
  }

  function renderLast(last) {
    if (!last) {
      $('last-cycle').textContent = 'No cycle has run yet.';
      fillTable('skipped', [], 'Nothing.');
      return;
    }
    $('last-cycle').textContent =
      'Last cycle ' +
      ago(last.run_at) +
      (last.dry_run ? ' (dry run)' : '') +
      ': ' +
      last.incidents_detected +
      ' incidents, ' +
      last.actions_taken.length +
      ' actions taken, ' +
      last.actions_skipped.length +
      ' skipped, ' +
      last.execution_time_ms +
      ' ms.';
    fillTable(
      'skipped',
      last.actions_skipped.map(function (s) {
        return { cells: [s.incident.tenant_id, s.incident.endpoint, s.strategy, s.check, s.reason] };
      }),
      'Nothing was skipped.',
    );
  }

  function renderHistory(entries) {
    fillTable(
      'history',
      entries.slice(0, 12).map(function (h) {
        return {
          cells: [
            ago(h.timestamp),
            h.incident ? h.incident.tenant_id : '–',
            h.incident ? h.incident.endpoint : '(nothing to do)',
            h.strategy,
            summarizeResult(h.result),
          ],
        };
      }),
      'No cycle has run yet.',
    );
  }

  function renderMaintenance(windows) {
    fillTable(
      'maintenance',
      windows.map(function (w) {
        var buttons = [];
        if (may('operate')) {
          buttons.push(
            actionButton('End now', 'secondary', function (b) {
              act(b, 'DELETE', '/autoheal/maintenance/' + encodeURIComponent(w.endpoint));
            }),
          );
        }
        return { cells: [w.endpoint, ago(w.until), w.reason, w.set_by, buttons] };
      }),
      'No maintenance window.',
    );
  }

  var SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** One strip per endpoint (the busiest eight): failures as red bars up, heals as green bars down, per bucket. */
  function renderChart(activity) {
    var chart = $('chart');
    chart.replaceChildren();
    var endpoints = activity.endpoints.slice(0, 8);
    if (endpoints.length === 0) {
      chart.appendChild(el('p', { className: 'muted', text: 'No failure and no heal in the last hour.' }));
      return;
    }
    var width = 960;
    var label = 260;
    var rowHeight = 64;
    var buckets = endpoints[0].buckets.length;
    var barWidth = (width - label - 20) / buckets;
    var height = endpoints.length * rowHeight + 30;
    var max = 1;
    endpoints.forEach(function (e) {
      e.buckets.forEach(function (b) {
        max = Math.max(max, b.failures, b.heals);
      });
    });
    var root = svg('svg', {
      viewBox: '0 0 ' + width + ' ' + height,
      width: '100%',
      role: 'img',
      'aria-label': 'Failures vs heals per endpoint',
    });
    endpoints.forEach(function (e, row) {
      var mid = row * rowHeight + rowHeight / 2 + 4;
      var half = rowHeight / 2 - 8;
      var group = svg('g', { class: 'endpoint', 'data-endpoint': e.endpoint, 'data-tenant': e.tenant_id });
      group.appendChild(svg('text', { x: 0, y: mid - 6, class: 'label' }, shorten(e.endpoint, 38)));
      group.appendChild(
        svg('text', { x: 0, y: mid + 12, class: 'sublabel' }, e.tenant_id + ' · ' + e.failures + ' failed · ' + e.heals + ' healed'),
      );
      group.appendChild(svg('line', { x1: label, x2: width - 20, y1: mid, y2: mid, class: 'axis' }));
      e.buckets.forEach(function (b, i) {
        var x = label + i * barWidth;
        if (b.failures > 0) {
          var fh = Math.max(1, (b.failures / max) * half);
          var f = svg('rect', {
            x: x,
            y: mid - fh,
            width: Math.max(1, barWidth - 1),
            height: fh,
            class: 'bar failures',
            'data-count': b.failures,
          });
          f.appendChild(svg('title', {}, b.at + ': ' + b.failures + ' failed'));
          group.appendChild(f);
        }
        if (b.heals > 0) {
          var hh = Math.max(1, (b.heals / max) * half);
          var h = svg('rect', { x: x, y: mid, width: Math.max(1, barWidth - 1), height: hh, class: 'bar heals', 'data-count': b.heals });
          h.appendChild(svg('title', {}, b.at + ': ' + b.heals + ' healed'));
          group.appendChild(h);
        }
      });
      root.appendChild(group);
    });
    var axisY = height - 8;
    root.appendChild(svg('text', { x: label, y: axisY, class: 'sublabel' }, '−60 min'));
    root.appendChild(svg('text', { x: width - 60, y: axisY, class: 'sublabel' }, 'now'));
    root.appendChild(svg('rect', { x: label + 140, y: axisY - 9, width: 10, height: 10, class: 'failures' }));
    root.appendChild(svg('text', { x: label + 155, y: axisY, class: 'sublabel' }, 'failed attempts'));
    root.appendChild(svg('rect', { x: label + 280, y: axisY - 9, width: 10, height: 10, class: 'heals' }));
    root.appendChild(svg('text', { x: label + 295, y: axisY, class: 'sublabel' }, 'healed (probe, drain, replay)'));
    chart.appendChild(root);
  }

  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + '…' : text;
  }

  function refresh() {
    if (!state.me || state.busy) return Promise.resolve();
    state.busy = true;
    var reads = [api('GET', '/autoheal/insights/activity?minutes=60&bucket_seconds=60').then(renderChart)];
    if (state.me.may.read_autoheal) {
      reads.push(
        api('GET', '/autoheal/controls').then(renderControls),
        api('GET', '/autoheal/incidents?limit=50').then(function (r) {
          renderIncidents(r.incidents);
        }),
        api('GET', '/autoheal/approvals?status=pending').then(function (r) {
          renderApprovals(r.approvals);
        }),
        api('GET', '/autoheal/escalations?limit=50').then(renderEscalations),
        api('GET', '/autoheal/last').then(renderLast, function (error) {
          if (error.status === 404) return renderLast(null);
          throw error;
        }),
        api('GET', '/autoheal/history?limit=25').then(renderHistory),
        api('GET', '/autoheal/maintenance').then(renderMaintenance),
      );
    }
    return Promise.all(reads).then(
      function () {
        state.busy = false;
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        document.body.setAttribute('data-loaded', 'true');
      },
      function (error) {
        state.busy = false;
        if (error.status === 401) {
          signOut();
          $('sign-in-error').textContent = 'The token was refused (expired?): ' + error.message;
          return;
        }
        showError(error.message);
      },
    );
  }

  document.addEventListener('DOMContentLoaded', function () {
    buildTables();
    $('sign-in-form').addEventListener('submit', function (event) {
      event.preventDefault();
      signIn($('token').value);
    });
    $('sign-out').addEventListener('click', signOut);
    $('refresh').addEventListener('click', function () {
      refresh();
    });
    $('kill-switch').addEventListener('click', function (event) {
      setControls(event.currentTarget, { autoheal_enabled: false }, true);
    });
    $('resume').addEventListener('click', function (event) {
      setControls(event.currentTarget, { autoheal_enabled: true }, true);
    });
    $('dry-run-on').addEventListener('click', function (event) {
      setControls(event.currentTarget, { dry_run: true }, true);
    });
    $('dry-run-off').addEventListener('click', function (event) {
      setControls(event.currentTarget, { dry_run: false }, true);
    });
    $('controls-reset').addEventListener('click', function (event) {
      setControls(event.currentTarget, { autoheal_enabled: null, dry_run: null }, false);
    });
    $('maintenance-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var body = { endpoint: $('mw-endpoint').value.trim(), minutes: Number($('mw-minutes').value) };
      var reason = $('mw-reason').value.trim();
      if (reason) body.reason = reason;
      act(event.submitter || $('maintenance-form').querySelector('button'), 'PUT', '/autoheal/maintenance', body);
    });
    var saved = token();
    if (saved) signIn(saved);
  });
})();
