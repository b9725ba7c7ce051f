// Send only VIP guests' events: skip every event whose guest is not in one of
// the VIP_TIERS loyalty tiers (guest.loyalty_tier, or the object's own for
// guest events). The event goes out unchanged.

const VIP_TIERS = ["gold", "platinum"];

function transform(event, context) {
  const o = event.data.object || {};
  const tier = (o.guest && o.guest.loyalty_tier) || o.loyalty_tier;
  if (VIP_TIERS.indexOf(tier) < 0) return bellhop.skip("guest is not a VIP (tier " + tier + ")");
  return event;
}
