// A webhook receiver for Bellhop deliveries, on Node's own http module.
//
// It checks the signature with verify.ts, copied unchanged from the
// reference documentation, ignores an event id it has already seen (Bellhop
// delivers at least once), and prints one JSON line per request.
//
//   WEBHOOK_SECRET=whsec_… SIGNATURE_HEADER=Bellhop-Signature PORT=3000 npm start
import http from "node:http";
import { verifySwiftGuestSignature } from "./verify";

const secret = process.env.WEBHOOK_SECRET ?? "";
const header = (process.env.SIGNATURE_HEADER ?? "Bellhop-Signature").toLowerCase();
const port = Number(process.env.PORT ?? "3000");
const seen = new Set<string>(); // use Redis or a unique index in production

if (!secret) {
  console.error("WEBHOOK_SECRET is required (the endpoint's whsec_… secret)");
  process.exit(2);
}

function verified(rawBody: string, headerValue: string): boolean {
  try {
    return verifySwiftGuestSignature(rawBody, headerValue, secret);
  } catch {
    // timingSafeEqual throws when the signature is not 32 bytes of hex.
    return false;
  }
}

function handle(rawBody: string, headerValue: string): [number, string] {
  if (!verified(rawBody, headerValue)) return [401, "invalid signature"];
  let event: { id?: string; type?: string };
  try {
    event = JSON.parse(rawBody);
  } catch {
    return [400, "body is not JSON"];
  }
  if (!event.id) return [400, "event has no id"];
  if (seen.has(event.id)) {
    console.log(JSON.stringify({ duplicate: event.id }));
    return [200, "duplicate"];
  }
  seen.add(event.id);
  // Enqueue the event for real work here and answer at once.
  console.log(JSON.stringify({ received: event.id, type: event.type }));
  return [200, "ok"];
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405).end("POST only");
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    // Verify the raw bytes, never a re-serialised object.
    const raw = Buffer.concat(chunks).toString("utf8");
    const value = req.headers[header];
    const [status, text] = handle(raw, typeof value === "string" ? value : "");
    if (status !== 200) console.log(JSON.stringify({ rejected: status, reason: text }));
    res.writeHead(status, { "Content-Type": "text/plain" }).end(text);
  });
});

server.listen(port, "127.0.0.1", () => {
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  console.log(`listening on http://127.0.0.1:${actual}`);
});
