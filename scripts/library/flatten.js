// Flatten an event into the flat key/value shape that no-code tools (Zapier,
// Make, Airtable) map field by field: nested keys are joined with "__" and
// array items are numbered, e.g. "guest__email", "availability__0__date".
// The envelope's fields come first, prefixed "event_".

function flatten(v, prefix, out) {
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 0) out[prefix] = Array.isArray(v) ? "[]" : "{}";
    for (const k of keys) flatten(v[k], prefix ? prefix + "__" + k : k, out);
  } else {
    out[prefix] = v;
  }
  return out;
}

function transform(event, context) {
  const out = {
    event_id: event.id,
    event_type: event.type,
    event_created_at: event.created_at,
    event_property_id: event.property_id,
    event_livemode: event.livemode,
  };
  return flatten(event.data.object, "", out);
}
