// HubSpot: the default transform of the HubSpot connector.
//
// Output (the HubSpot connector's input contract):
//   {"contacts": [{"email": "...", "properties": {"firstname": "...", "lastname": "...", "phone": "..."}}],
//    "note": "<what happened, for the contact's timeline>" | null}
// Properties that the event does not carry are left out, not sent empty, so
// that HubSpot keeps what it knows. Events with no guest email return null
// (skipped): HubSpot keys contacts by email.

function money(m) {
  return m ? (m.amount / 100).toFixed(2) + " " + m.currency : "";
}

// guestOf finds the guest in an event: a reservation's guest, or the object
// itself for guest events.
function guestOf(type, o) {
  if (o.guest) return o.guest;
  if (type.indexOf("guest.") === 0) return o;
  return null;
}

function names(g) {
  if (g.first_name || g.last_name) return [g.first_name, g.last_name];
  const parts = (g.name || "").trim().split(/\s+/);
  return [parts[0], parts.slice(1).join(" ")];
}

function note(type, o) {
  switch (type) {
    case "reservation.created":
      return "Reservation " + o.id + " created: " + o.check_in + " → " + o.check_out + " (" + o.nights + " nights), " + money(o.total) + ".";
    case "reservation.updated":
      return "Reservation " + o.id + " updated: " + o.check_in + " → " + o.check_out + " (" + o.nights + " nights), " + money(o.total) + ".";
    case "reservation.cancelled":
      return "Reservation " + o.id + " cancelled by " + o.cancelled_by + (o.cancellation_reason ? ": " + o.cancellation_reason : "") + ".";
    case "reservation.checked_in":
      return "Checked in to reservation " + o.id + (o.room ? ", room " + o.room.number : "") + ".";
    case "reservation.checked_out":
      return "Checked out of reservation " + o.id + ".";
    case "guest.checked_in":
      return "Checked in to event " + o.event_id + " with a party of " + o.party_size + ".";
  }
  return null;
}

function transform(event, context) {
  const o = event.data.object || {};
  const g = guestOf(event.type, o);
  if (!g || !g.email) return bellhop.skip("no guest email in " + event.type);
  const [first, last] = names(g);
  const properties = {};
  if (first) properties.firstname = first;
  if (last) properties.lastname = last;
  if (g.phone) properties.phone = g.phone;
  return { contacts: [{ email: g.email, properties: properties }], note: note(event.type, o) };
}
