// Controls, each confirmed in a dialog (with quantities and prices where the action takes them) and sent
// through the same /v1 API and risk gate; a refusal shows its reason.
import * as format from './format.js';
import { select } from './actor.js';
import { api, say } from './api.js';
import { $, instrumentOf, view } from './state.js';

export function confirmAction(text, inputs = []) {
  const dialog = $('#confirm');
  $('#confirm-text').textContent = text;
  const fields = inputs.map((input) => {
    const label = document.createElement('label');
    const field = Object.assign(document.createElement('input'), { name: input.name, value: input.value ?? '', required: true });
    if (input.inputMode) field.inputMode = input.inputMode;
    label.append(`${input.label} `, field);
    return { label, field, name: input.name };
  });
  $('#confirm-inputs').replaceChildren(...fields.map((f) => f.label));
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (dialog.returnValue !== 'ok') return resolve(undefined);
      resolve(Object.fromEntries(fields.map((f) => [f.name, f.field.value.trim()])));
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    (fields[0]?.field ?? $('#confirm-ok')).focus();
  });
}

export async function send(label, method, path, body) {
  try {
    await api(method, path, body);
    say(`${label}: sent`);
  } catch (error) {
    say(`${label} refused: ${error.message}`);
  }
}

export function controlButton(label, onClick) {
  const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label, disabled: !view.connected });
  button.addEventListener('click', onClick);
  return button;
}

export function renderControls(node) {
  const container = $('#actor-controls');
  const key = `${node.id}|${node.live}|${node.state}`;
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  const buttons = [];
  const i = instrumentOf(node);
  if (node.kind === 'order' && node.live) {
    const orderId = node.id.slice('order:'.length);
    buttons.push(controlButton('Cancel order', async () => {
      if (await confirmAction(`Cancel ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} (${node.id})?`)) await send('Cancel order', 'DELETE', `/v1/orders/${encodeURIComponent(orderId)}`);
    }));
  }
  if (node.kind === 'position' && node.live) {
    const path = `/v1/positions/${encodeURIComponent(node.id.slice('position:'.length))}`;
    buttons.push(controlButton('Close position', async () => {
      if (await confirmAction(`Close the whole ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} at market?`)) await send('Close position', 'POST', `${path}/close`, {});
    }));
    buttons.push(controlButton('Close part…', async () => {
      const answer = await confirmAction(`Close part of the ${node.side} ${format.quantity(node.quantity, i, true)} ${node.symbol} at market:`, [{ name: 'quantity', label: `quantity (${i?.base ?? 'base'})`, inputMode: 'decimal' }]);
      if (answer) await send('Close part', 'POST', `${path}/close`, { quantity: answer.quantity });
    }));
    buttons.push(controlButton('Move stop…', async () => {
      const answer = await confirmAction(`Move the stop of ${node.id} (now ${format.price(node.stopPrice, i)}):`, [{ name: 'price', label: 'stop price', value: node.stopPrice ?? '', inputMode: 'decimal' }]);
      if (answer) await send('Move stop', 'PUT', `${path}/stop`, { stopPrice: answer.price });
    }));
    buttons.push(controlButton('Move take-profit…', async () => {
      const answer = await confirmAction(`Move the take-profit of ${node.id} (now ${(node.takeProfitPrices ?? []).map((p) => format.price(p, i)).join(', ') || 'none'}):`, [{ name: 'price', label: 'take-profit price', value: node.takeProfitPrices?.[0] ?? '', inputMode: 'decimal' }]);
      if (answer) await send('Move take-profit', 'PUT', `${path}/take-profit`, { price: answer.price });
    }));
  }
  const back = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Portfolio', className: 'nav' });
  back.addEventListener('click', () => select(undefined));
  buttons.push(back);
  container.replaceChildren(...buttons);
}

export async function tradingControl(label, path, needsReason) {
  const reason = $('#halt-reason').value.trim() || `${label.toLowerCase()} from the inspector`;
  const answer = await confirmAction(`${label}${needsReason ? ` — reason:` : '?'}`, needsReason ? [{ name: 'reason', label: 'reason', value: reason }] : []);
  if (!answer) return;
  await send(label, 'POST', path, needsReason ? { reason: answer.reason } : {});
}
