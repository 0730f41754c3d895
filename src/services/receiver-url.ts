// Applies the egress policy to a URL from a request body: 422 naming the field when refused.
import { settings } from '../config';
import type { Env } from '../env';
import { fail } from '../utils/problem';
import { urlProblem } from '../utils/url-policy';

export function assertReceiverUrl(env: Env, field: string, url: string): void {
  const problem = urlProblem(url, { allowInsecure: settings(env).allowInsecureUrls });
  if (problem) throw fail(422, `The ${field} is refused: it ${problem}.`, [{ path: field, message: problem }]);
}
