// Trader numbers for the page: decimal strings rounded as text (never through floats) to the instrument's
// tick (prices) and lot (quantities), money with its currency, times local with the zone and UTC on hover.
const FIAT_LIKE = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'CAD']);

/** Decimal places of a step such as '0.001' (3) or '5' (0). */
export function decimalsOf(step) {
  if (step === undefined) return undefined;
  const text = String(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Rounds a decimal string half away from zero to `places`, as text, and pads it to exactly `places`. */
export function roundText(value, places) {
  let text = String(value).trim();
  if (!/^[-+]?\d+(\.\d+)?$/.test(text)) return text;
  const negative = text.startsWith('-');
  text = text.replace(/^[-+]/, '');
  let [whole, fraction = ''] = text.split('.');
  if (fraction.length > places) {
    const roundUp = fraction.charCodeAt(places) >= 53; // '5'
    fraction = fraction.slice(0, places);
    if (roundUp) {
      const digits = (whole + fraction).split('').map(Number);
      let index = digits.length - 1;
      for (; index >= 0; index--) {
        if (digits[index] === 9) digits[index] = 0;
        else { digits[index] += 1; break; }
      }
      const joined = (index < 0 ? '1' : '') + digits.join('');
      whole = joined.slice(0, joined.length - places) || '0';
      fraction = joined.slice(joined.length - places);
    }
  }
  fraction = fraction.padEnd(places, '0');
  const zero = /^0*$/.test(whole + fraction);
  return `${negative && !zero ? '-' : ''}${whole}${places > 0 ? `.${fraction}` : ''}`;
}

/** Thousands separators on the whole part; a real minus sign. */
function group(text) {
  const negative = text.startsWith('-');
  const [whole, fraction] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '−' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function moneyDecimals(currency) {
  return FIAT_LIKE.has(currency) ? 2 : 8;
}

/** A price to the instrument's tick. */
export function price(value, instrument) {
  if (value === undefined || value === null) return '—';
  const places = decimalsOf(instrument?.tickSize) ?? 8;
  return group(roundText(value, places));
}

/** A quantity to the instrument's lot, with the base asset. */
export function quantity(value, instrument, withUnit = false) {
  if (value === undefined || value === null) return '—';
  const places = decimalsOf(instrument?.lotSize) ?? 8;
  return `${group(roundText(value, places))}${withUnit && instrument ? ` ${instrument.base}` : ''}`;
}

/** Money with its currency: 2 places for fiat and stable coins, 8 otherwise; `signed` shows a + for gains. */
export function money(value, currency, signed = false) {
  if (value === undefined || value === null) return '—';
  const text = group(roundText(value, moneyDecimals(currency)));
  const plus = signed && !text.startsWith('−') && !/^0(\.0*)?$/.test(text) ? '+' : '';
  return `${plus}${text}${currency ? ` ${currency}` : ''}`;
}

/** A fraction as a percentage, shifted and rounded as text: '0.125' -> '12.5%' (one place). */
export function percent(value, places = 1) {
  if (value === undefined || value === null) return '—';
  const text = String(value);
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const padded = fraction.padEnd(2, '0');
  const shifted = `${`${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, '')}.${padded.slice(2) || '0'}`;
  const rounded = roundText(shifted, places);
  return `${negative && !/^0(\.0*)?$/.test(rounded) ? '−' : ''}${rounded}%`;
}

/** Sign of a decimal string: -1, 0 or 1 (for colouring gains and losses). */
export function sign(value) {
  if (value === undefined || value === null) return 0;
  const text = String(value);
  if (/^-?0*(\.0*)?$/.test(text)) return 0;
  return text.startsWith('-') ? -1 : 1;
}

const localFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' });
const shortFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** Local date and time with the zone; `utc(at)` is the hover text. */
export function time(at) {
  if (at === undefined || at === null) return '—';
  return localFormat.format(new Date(at));
}

export function shortTime(at) {
  if (at === undefined || at === null) return '—';
  const date = new Date(at);
  return `${shortFormat.format(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

export function utc(at) {
  if (at === undefined || at === null) return '';
  return `${new Date(at).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** A <time> element: local with zone, UTC on hover. */
export function timeElement(at, short = false) {
  const element = document.createElement('time');
  if (at !== undefined && at !== null) element.dateTime = new Date(at).toISOString();
  element.textContent = short ? shortTime(at) : time(at);
  element.title = utc(at);
  return element;
}
