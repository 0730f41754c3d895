import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/utils/json-depth';
import { urlProblem } from '../../src/utils/url-policy';

const prod = { allowInsecure: false };
const dev = { allowInsecure: true };

describe('url policy', () => {
  it.each([
    'https://example.com/hooks',
    'https://hooks.example.co.uk:8443/a?b=c',
    'https://8.8.8.8/x',
    'https://[2606:4700:4700::1111]/x',
    'https://bücher.example/hook',
  ])('accepts public https %s', (url) => {
    expect(urlProblem(url, prod)).toBeNull();
  });

  it.each(['http://127.0.0.1:8787/x', 'http://localhost:3000/x', 'http://[::1]:9000/x', 'https://localhost/x', 'http://example.com/x'])(
    'refuses %s in production and allows it in dev',
    (url) => {
      expect(urlProblem(url, prod)).not.toBeNull();
      expect(urlProblem(url, dev)).toBeNull();
    },
  );

  it.each(['http://10.0.0.1/', 'http://169.254.169.254/', 'http://[fd00:ec2::254]/', 'http://metadata.google.internal/', 'http://100.100.100.200/'])(
    'refuses %s even in dev',
    (url) => {
      expect(urlProblem(url, dev)).toMatch(/public host/);
    },
  );
});

describe('jsonDepth', () => {
  it('counts nesting of objects and arrays, not scalars', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    const deep = JSON.parse(`${'['.repeat(100000)}${']'.repeat(100000)}`);
    expect(jsonDepth(deep)).toBe(100000);
  });
});
