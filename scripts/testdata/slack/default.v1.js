// Slack: the default transform of the Slack connector.
//
// Output (the Slack connector's input contract):
//   {"text": "<fallback text>", "blocks": [<Block Kit blocks>]}
// text is the one-line summary Slack shows in notifications; blocks are a
// header, a section with the details as fields, and a context line naming the
// event. Every event type gets a message; unknown ones a generic one.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥" };
const ZERO_DECIMAL = { JPY: true, KRW: true, CLP: true, VND: true };

function money(m) {
  if (!m || typeof m.amount !== "number") return "";
  const digits = ZERO_DECIMAL[m.currency] ? 0 : 2;
  const value = (m.amount / Math.pow(10, digits)).toFixed(digits);
  const parts = value.split(".");
  parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sym = SYMBOLS[m.currency];
  return sym ? sym + parts.join(".") : parts.join(".") + " " + m.currency;
}

function day(s) {
  if (!s) return "";
  const d = new Date(s.length === 10 ? s + "T00:00:00Z" : s);
  return MONTHS[d.getUTCMonth()] + " " + d.getUTCDate();
}

function fullName(g) {
  if (!g) return "";
  return g.name || [g.first_name, g.last_name].filter(Boolean).join(" ");
}

function stay(o) {
  return day(o.check_in) + " → " + day(o.check_out);
}

function nights(n) {
  return n === 1 ? "1 night" : n + " nights";
}

function card(o) {
  return o.card ? o.card.brand + " ••" + o.card.last4 : o.method || "";
}

// describe returns the title, the summary parts and the detail fields of one event.
function describe(type, o) {
  switch (type) {
    case "reservation.created":
      return ["New reservation", [fullName(o.guest), stay(o), nights(o.nights), money(o.total)],
        [["Reservation", o.id], ["Guests", o.adults + " adults, " + o.children + " children"], ["Source", o.source]]];
    case "reservation.updated":
      return ["Reservation updated", [fullName(o.guest), stay(o), nights(o.nights), money(o.total)],
        [["Reservation", o.id], ["Changed", Object.keys(o.previous_attributes || {}).join(", ")]]];
    case "reservation.cancelled":
      return ["Reservation cancelled", [fullName(o.guest), stay(o), o.cancellation_reason],
        [["Reservation", o.id], ["Cancelled by", o.cancelled_by], ["Fee", money(o.cancellation_fee)]]];
    case "reservation.checked_in":
      return ["Checked in", [fullName(o.guest), o.room ? "Room " + o.room.number : "", stay(o)],
        [["Reservation", o.id], ["Nights", String(o.nights)]]];
    case "reservation.checked_out":
      return ["Checked out", [fullName(o.guest), o.room ? "Room " + o.room.number : "", o.folio ? "balance " + money(o.folio.balance) : ""],
        [["Reservation", o.id], ["Charges", o.folio ? money(o.folio.total_charges) : ""]]];
    case "payment.succeeded":
      return ["Payment succeeded", [money(o.amount), card(o)], [["Payment", o.id], ["Reservation", o.reservation_id]]];
    case "payment.failed":
      return ["Payment failed", [money(o.amount), card(o), o.failure_message],
        [["Payment", o.id], ["Reservation", o.reservation_id], ["Code", o.failure_code]]];
    case "payment.refunded":
      return ["Refund issued", [money(o.amount_refunded) + " of " + money(o.amount), o.refund && o.refund.reason],
        [["Payment", o.id], ["Note", o.refund && o.refund.note]]];
    case "payment.received":
      return ["Payment received", [money(o.amount), o.description], [["Payment", o.id], ["Guest", o.guest_id]]];
    case "guest.created":
      return ["New guest", [fullName(o), o.email], [["Guest", o.id], ["Country", o.country]]];
    case "guest.checked_in":
      return ["Guest checked in", [fullName(o), "party of " + o.party_size, o.table ? "table " + o.table : ""],
        [["Guest", o.id], ["Method", o.check_in_method]]];
    case "guest.updated":
      return ["Guest updated", [fullName(o), "changed " + Object.keys(o.previous_attributes || {}).join(", ")], [["Guest", o.id]]];
    case "rsvp.submitted":
    case "rsvp.updated":
      return [type === "rsvp.submitted" ? "New RSVP" : "RSVP updated", [o.response, "party of " + o.party_size, o.message ? "“" + o.message + "”" : ""],
        [["RSVP", o.id], ["Guest", o.guest_id]]];
    case "event.published":
      return ["Event published", [o.name, day(o.starts_at)], [["Venue", o.venue && o.venue.name], ["Capacity", String(o.capacity)]]];
    case "event.closed":
      return ["Event closed", [o.name, o.stats ? o.stats.guests_checked_in + " of " + o.stats.guests_attending + " checked in" : ""],
        [["Collected", o.stats ? money(o.stats.total_collected) : ""]]];
    case "photo.approved":
      return ["Photo approved", [o.caption, o.url], [["Photo", o.id]]];
    case "housekeeping.status_changed":
      return ["Room " + (o.room ? o.room.number : ""), [o.previous_status + " → " + o.status, o.changed_by ? "by " + o.changed_by.name : ""], []];
    case "rate.updated":
      return ["Rate updated", [o.name, (o.rates || []).length + " dates"], [["Rate plan", o.rate_plan_id], ["Room type", o.room_type_id]]];
    case "inventory.updated":
      return ["Availability changed", [o.room_type_id, day(o.start_date) + " → " + day(o.end_date)], []];
  }
  return [type, [o.id], []];
}

function transform(event, context) {
  const o = event.data.object || {};
  const [title, parts, fields] = describe(event.type, o);
  const shownParts = parts.filter(Boolean);
  const text = [title].concat(shownParts).join(" · ");
  const blocks = [
    { type: "header", text: { type: "plain_text", text: title } },
    { type: "section", text: { type: "mrkdwn", text: shownParts.join(" · ") || title } },
  ];
  const shown = fields.filter((f) => f[1]);
  if (shown.length > 0) {
    blocks[1].fields = shown.map((f) => ({ type: "mrkdwn", text: "*" + f[0] + "*\n" + f[1] }));
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "`" + event.type + "` · " + event.id + " · " + event.created_at }] });
  return { text: text, blocks: blocks };
}
