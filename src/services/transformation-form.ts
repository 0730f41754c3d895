// The dashboard's and the portal's transformation form: save, remove, or try the code in the box on a
// sample; the same checks as the API (its schemas and services), errors as text for the page.
import type { Env } from '../env';
import { SubscriptionUpdate, TransformationTest } from '../schemas/subscriptions';
import type { StoredSubscription } from '../store/subscriptions';
import { problemText } from '../utils/problem';
import { changeSubscription, type Scope } from './subscriptions';
import { tryTransformation, type TestResult } from './transformations';
import { validated } from './validated';

/** What "Try it" was given and what came of it. */
export interface TryOutcome {
  event_type: string;
  payload: string;
  result: TestResult;
}

export interface FormOutcome {
  /** What the page says happened. */
  notice?: { kind: 'ok' | 'err'; text: string };
  tried?: TryOutcome;
  /** The code to show in the box again (what was sent, saved or not). */
  code: string;
}

const field = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');

export async function submitTransformationForm(env: Env, scope: Scope, sub: StoredSubscription, form: Record<string, unknown>): Promise<FormOutcome> {
  const code = field(form, 'code');
  try {
    switch (field(form, 'do')) {
      case 'remove':
        await changeSubscription(env, scope, sub.id, { transformation: null });
        return { notice: { kind: 'ok', text: 'Transformation removed: webhooks go as they are.' }, code: '' };
      case 'try': {
        const text = field(form, 'payload').trim();
        let payload: unknown;
        if (text) {
          try {
            payload = JSON.parse(text);
          } catch {
            return { tried: { event_type: field(form, 'event_type'), payload: text, result: { ok: false, error: 'The sample data is not JSON.' } }, code };
          }
        }
        const sample = validated(TransformationTest, { event_type: field(form, 'event_type'), ...(payload !== undefined ? { payload } : {}), ...(code ? { code } : {}) });
        return { tried: { event_type: sample.event_type, payload: text, result: await tryTransformation(env, sub, sample) }, code };
      }
      default: {
        const input = validated(SubscriptionUpdate, { transformation: { code, enabled: form.enabled === '1' } });
        await changeSubscription(env, scope, sub.id, input);
        return { notice: { kind: 'ok', text: 'Transformation saved: it runs on the next attempt.' }, code };
      }
    }
  } catch (err) {
    return { notice: { kind: 'err', text: problemText(err) }, code };
  }
}
