// Keep only some properties of data.object: a smaller payload for a receiver
// that needs a few fields. Edit KEEP; dotted paths keep a nested field.

const KEEP = ["id", "status", "check_in", "check_out", "nights", "total", "guest.id", "guest.email"];

function pick(obj, path, out) {
  const keys = path.split(".");
  let src = obj;
  let dst = out;
  for (let i = 0; i < keys.length; i++) {
    if (src === null || typeof src !== "object" || !(keys[i] in src)) return;
    if (i === keys.length - 1) {
      dst[keys[i]] = src[keys[i]];
    } else {
      dst = dst[keys[i]] = dst[keys[i]] || {};
      src = src[keys[i]];
    }
  }
}

function transform(event, context) {
  const object = {};
  KEEP.forEach((path) => pick(event.data.object, path, object));
  return Object.assign({}, event, { data: { object: object } });
}
