// Google Sheets: the default transform of the Sheets connector.
//
// Output (the Sheets connector's input contract):
//   {"header": ["Event ID", "Type", …], "rows": [["evt_…", "reservation.created", …]]}
// One row per reservation or payment event, in the columns of header (the
// connector writes header to an empty sheet first); null for other events.
// The connector writes values RAW, so text is never read as a formula or a
// date: amounts and nights go as JSON numbers to be numbers in the sheet
// (amounts in the currency's major unit), dates and times as ISO 8601 text.

const HEADER = ["Event ID", "Type", "Created", "Property", "Object ID", "Status", "Guest", "Email",
  "Check-in", "Check-out", "Nights", "Amount", "Currency"];

function amount(m) {
  return m ? m.amount / 100 : "";
}

function transform(event, context) {
  const o = event.data.object || {};
  const kind = event.type.split(".")[0];
  if (kind !== "reservation" && kind !== "payment") return bellhop.skip("not a reservation or payment event");
  const g = o.guest || {};
  const money = o.total || o.amount || null;
  const row = [event.id, event.type, event.created_at, event.property_id, o.id || "", o.status || "",
    [g.first_name, g.last_name].filter(Boolean).join(" ") || o.guest_id || "", g.email || "",
    o.check_in || "", o.check_out || "", o.nights === undefined ? "" : o.nights,
    amount(money), money ? money.currency : ""];
  return { header: HEADER.slice(), rows: [row] };
}
