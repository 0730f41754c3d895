// Lookups shared by route groups: a missing resource is a 404, a malformed given secret a 422.
import { isValidSecret } from '../signing/secret';
import { getDelivery, type DeliveryRow } from '../store/deliveries';
import { getSubscription, type StoredSubscription } from '../store/subscriptions';
import { fail } from '../utils/problem';

export async function subscriptionOr404(kv: KVNamespace, id: string): Promise<StoredSubscription> {
  const sub = await getSubscription(kv, id);
  if (!sub) throw fail(404, `No subscription ${id}.`);
  return sub;
}

export async function deliveryOr404(db: D1Database, id: string): Promise<DeliveryRow> {
  const delivery = await getDelivery(db, id);
  if (!delivery) throw fail(404, `No delivery ${id}.`);
  return delivery;
}

/** A secret given by the caller must be a Standard Webhooks secret; it is never echoed back. */
export function assertGivenSecret(secret: string | undefined): void {
  if (secret !== undefined && !isValidSecret(secret)) {
    throw fail(422, 'The secret must be `whsec_` followed by base64 of 24 to 64 bytes.', [{ path: 'secret', message: 'not a whsec_ secret' }]);
  }
}
