// Money in minor units to a decimal string: every {"amount": 86000,
// "currency": "USD"} becomes {"amount": "860.00", "currency": "USD"}, for
// receivers that expect major units. Zero-decimal currencies stay whole.

const ZERO_DECIMAL = { JPY: true, KRW: true, CLP: true, VND: true, ISK: true };

function isMoney(v) {
  return v !== null && typeof v === "object" && typeof v.amount === "number" && typeof v.currency === "string";
}

function convert(v) {
  if (Array.isArray(v)) return v.map(convert);
  if (v === null || typeof v !== "object") return v;
  if (isMoney(v)) {
    const digits = ZERO_DECIMAL[v.currency] ? 0 : 2;
    return Object.assign({}, v, { amount: (v.amount / Math.pow(10, digits)).toFixed(digits) });
  }
  const out = {};
  for (const k of Object.keys(v)) out[k] = convert(v[k]);
  return out;
}

function transform(event, context) {
  return Object.assign({}, event, { data: { object: convert(event.data.object) } });
}
