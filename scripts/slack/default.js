// Slack: the default transform of the Slack connector.
//
// Output (the Slack connector's input contract):
//   {"text": "<fallback text>", "blocks": [<Block Kit blocks>]}
// text is the one-line summary Slack shows in notifications; blocks are a
// header, a section with the details as fields, and a context line naming the
// event. Every event type gets a message; unknown ones a generic one.
//
// This script runs on every Slack delivery, so it builds the message
// directly: the summary and the fields are made from arguments rather than
// from arrays that are filtered, mapped and joined; strings of several parts
// are template literals (one allocation, where each + makes a string); and
// amounts are grouped by thousands without a regular expression. It writes
// exactly what the plainer version before it wrote
// (scripts/testdata/slack/default.v1.js).

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥" };
const ZERO_DECIMAL = { JPY: true, KRW: true, CLP: true, VND: true };

function money(m) {
  if (!m || typeof m.amount !== "number") return "";
  const value = ZERO_DECIMAL[m.currency] ? m.amount.toFixed(0) : (m.amount / 100).toFixed(2);
  const point = value.indexOf(".");
  const amount = point < 0 ? thousands(value) : thousands(value.slice(0, point)) + value.slice(point);
  const sym = SYMBOLS[m.currency];
  return sym ? sym + amount : `${amount} ${m.currency}`;
}

// thousands puts commas between groups of three digits: "-1234567" becomes
// "-1,234,567". What toFixed gives for 1e21 and over ("1e+21") stays as it is.
function thousands(s) {
  const sign = s[0] === "-" ? 1 : 0;
  const digits = s.length - sign;
  if (digits <= 3 || !(Math.abs(Number(s)) < 1e21)) return s;
  let i = sign + (digits % 3 || 3);
  let out = s.slice(0, i);
  for (; i < s.length; i += 3) out = `${out},${s.slice(i, i + 3)}`;
  return out;
}

function day(s) {
  if (!s) return "";
  const d = new Date(s.length === 10 ? s + "T00:00:00Z" : s);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

function fullName(g) {
  if (!g) return "";
  if (g.name) return g.name;
  const first = g.first_name, last = g.last_name;
  return first && last ? `${first} ${last}` : `${first || last || ""}`;
}

function stay(o) {
  return `${day(o.check_in)} → ${day(o.check_out)}`;
}

function nights(n) {
  return n === 1 ? "1 night" : `${n} nights`;
}

function card(o) {
  return o.card ? `${o.card.brand} ••${o.card.last4}` : o.method || "";
}

// summary joins the parts that are set with " · ", or returns null when none is.
function summary(a, b, c, d) {
  let s = null;
  if (a) s = `${a}`;
  if (b) s = s === null ? `${b}` : `${s} · ${b}`;
  if (c) s = s === null ? `${c}` : `${s} · ${c}`;
  if (d) s = s === null ? `${d}` : `${s} · ${d}`;
  return s;
}

// fields returns the Block Kit fields of the (label, value) pairs whose value
// is set, or null when none is. (It stores at out.length rather than calling
// push, a native call behind the engine's size guard.)
function fields(label1, value1, label2, value2, label3, value3) {
  const out = [];
  if (value1) out[out.length] = field(label1, value1);
  if (value2) out[out.length] = field(label2, value2);
  if (value3) out[out.length] = field(label3, value3);
  return out.length === 0 ? null : out;
}

function field(label, value) {
  return { type: "mrkdwn", text: `*${label}*\n${value}` };
}

// message returns the Slack message of event with a title, a summary line
// (null: none) and detail fields (null: none).
function message(event, title, line, details) {
  const section = { type: "section", text: { type: "mrkdwn", text: line || title } };
  if (details !== null) section.fields = details;
  return {
    text: line === null ? title : `${title} · ${line}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title } },
      section,
      { type: "context", elements: [{ type: "mrkdwn", text: `\`${event.type}\` · ${event.id} · ${event.created_at}` }] },
    ],
  };
}

// describe returns the message of one event: its title, summary and fields.
function describe(event, type, o) {
  switch (type) {
    case "reservation.created":
      return message(event, "New reservation", summary(fullName(o.guest), stay(o), nights(o.nights), money(o.total)),
        fields("Reservation", o.id, "Guests", `${o.adults} adults, ${o.children} children`, "Source", o.source));
    case "reservation.updated":
      return message(event, "Reservation updated", summary(fullName(o.guest), stay(o), nights(o.nights), money(o.total)),
        fields("Reservation", o.id, "Changed", Object.keys(o.previous_attributes || {}).join(", ")));
    case "reservation.cancelled":
      return message(event, "Reservation cancelled", summary(fullName(o.guest), stay(o), o.cancellation_reason),
        fields("Reservation", o.id, "Cancelled by", o.cancelled_by, "Fee", money(o.cancellation_fee)));
    case "reservation.checked_in":
      return message(event, "Checked in", summary(fullName(o.guest), o.room ? "Room " + o.room.number : "", stay(o)),
        fields("Reservation", o.id, "Nights", String(o.nights)));
    case "reservation.checked_out":
      return message(event, "Checked out", summary(fullName(o.guest), o.room ? "Room " + o.room.number : "", o.folio ? "balance " + money(o.folio.balance) : ""),
        fields("Reservation", o.id, "Charges", o.folio ? money(o.folio.total_charges) : ""));
    case "payment.succeeded":
      return message(event, "Payment succeeded", summary(money(o.amount), card(o)), fields("Payment", o.id, "Reservation", o.reservation_id));
    case "payment.failed":
      return message(event, "Payment failed", summary(money(o.amount), card(o), o.failure_message),
        fields("Payment", o.id, "Reservation", o.reservation_id, "Code", o.failure_code));
    case "payment.refunded":
      return message(event, "Refund issued", summary(`${money(o.amount_refunded)} of ${money(o.amount)}`, o.refund && o.refund.reason),
        fields("Payment", o.id, "Note", o.refund && o.refund.note));
    case "payment.received":
      return message(event, "Payment received", summary(money(o.amount), o.description), fields("Payment", o.id, "Guest", o.guest_id));
    case "guest.created":
      return message(event, "New guest", summary(fullName(o), o.email), fields("Guest", o.id, "Country", o.country));
    case "guest.checked_in":
      return message(event, "Guest checked in", summary(fullName(o), "party of " + o.party_size, o.table ? "table " + o.table : ""),
        fields("Guest", o.id, "Method", o.check_in_method));
    case "guest.updated":
      return message(event, "Guest updated", summary(fullName(o), "changed " + Object.keys(o.previous_attributes || {}).join(", ")), fields("Guest", o.id));
    case "rsvp.submitted":
    case "rsvp.updated":
      return message(event, type === "rsvp.submitted" ? "New RSVP" : "RSVP updated",
        summary(o.response, "party of " + o.party_size, o.message ? `“${o.message}”` : ""), fields("RSVP", o.id, "Guest", o.guest_id));
    case "event.published":
      return message(event, "Event published", summary(o.name, day(o.starts_at)), fields("Venue", o.venue && o.venue.name, "Capacity", String(o.capacity)));
    case "event.closed":
      return message(event, "Event closed", summary(o.name, o.stats ? `${o.stats.guests_checked_in} of ${o.stats.guests_attending} checked in` : ""),
        fields("Collected", o.stats ? money(o.stats.total_collected) : ""));
    case "photo.approved":
      return message(event, "Photo approved", summary(o.caption, o.url), fields("Photo", o.id));
    case "housekeeping.status_changed":
      return message(event, "Room " + (o.room ? o.room.number : ""), summary(`${o.previous_status} → ${o.status}`, o.changed_by ? "by " + o.changed_by.name : ""), null);
    case "rate.updated":
      return message(event, "Rate updated", summary(o.name, (o.rates || []).length + " dates"), fields("Rate plan", o.rate_plan_id, "Room type", o.room_type_id));
    case "inventory.updated":
      return message(event, "Availability changed", summary(o.room_type_id, `${day(o.start_date)} → ${day(o.end_date)}`), null);
  }
  return message(event, type, summary(o.id), null);
}

function transform(event, context) {
  return describe(event, event.type, event.data.object || {});
}
