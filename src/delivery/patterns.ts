// Event types and the subscription patterns that select them: `a.b` exact, `a.*` prefix, `*` all.
import { isOperational } from './operational-types';
export const EVENT_TYPE_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const PATTERN_RE = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

/** `a.*` matches `a.b` and `a.b.c`, not `a` itself. */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => matchesPattern(p, type));
}

/** Whether a subscription's patterns ask for `type`: an operational type only when named (exactly or by prefix), never by `*` alone. */
export function wants(patterns: readonly string[], type: string): boolean {
  return isOperational(type) ? patterns.some((p) => p !== '*' && matchesPattern(p, type)) : matchesAny(patterns, type);
}
