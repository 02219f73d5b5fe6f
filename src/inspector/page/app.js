// The inspector page's entry: wires the header's controls, the tree's filters and the log's keys, then connects.
// One module per concern: state, api, connection (the stream), render (the tree), dashboard, actor (the selected
// actor's figures, statechart and price chart), controls, event-log (decoded log and time travel).
import { loadSelected, select } from './actor.js';
import { connect, reconnectNow, setConnection } from './connection.js';
import { tradingControl } from './controls.js';
import { onLogKey, travelTo } from './event-log.js';
import { scheduleRender } from './render.js';
import { $, view } from './state.js';

function start() {
  // The token was traded for a session cookie with this page: it leaves the address bar and the history.
  const address = new URL(location.href);
  if (address.searchParams.has('token')) {
    address.searchParams.delete('token');
    history.replaceState(null, '', address);
  }
  for (const id of ['#search', '#filter-state', '#filter-symbol', '#filter-live']) {
    $(id).addEventListener('input', () => {
      view.liveDirty = true;
      scheduleRender();
    });
  }
  $('#halt').addEventListener('click', () => tradingControl('Halt', '/v1/halt', true));
  $('#reduce-only').addEventListener('click', () => tradingControl('Reduce-only', '/v1/reduce-only', true));
  $('#resume').addEventListener('click', () => tradingControl('Resume', '/v1/resume', false));
  $('#close-all').addEventListener('click', () => tradingControl('Close all positions at market and halt', '/v1/close-all', true));
  $('#reconnect').addEventListener('click', reconnectNow);
  $('#show-dashboard').addEventListener('click', () => select(undefined));
  $('#log tbody').addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) void travelTo(view.log[Number(row.dataset.index)]);
  });
  $('#log tbody').addEventListener('keydown', onLogKey);
  const toggle = (button, apply) => button.addEventListener('click', () => {
    const pressed = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(pressed));
    apply(pressed);
    view.drawnMachine = undefined;
    scheduleRender();
  });
  toggle($('#chart-details'), (pressed) => { view.chartDetails = pressed; });
  toggle($('#chart-focus'), (pressed) => { $('#chart').dataset.focus = String(pressed); });
  $('#chart').dataset.focus = 'true';
  setConnection('connecting', 'connecting…');
  connect();
  if (view.selectedId) void loadSelected(view.selectedId);
}

start();
