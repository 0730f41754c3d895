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

describe('egress allowlist (production settings)', () => {
  it.each([
    'https://[::ffff:0:a9fe:a9fe]/', // IPv4-translated form of 169.254.169.254
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:8.8.8.8]/', // mapped forms are refused whatever they embed: use the IPv4 address
    'https://[::a9fe:a9fe]/', // IPv4-compatible
    'https://[64:ff9b::a9fe:a9fe]/', // NAT64
    'https://[64:ff9b:1::a9fe:a9fe]/', // local-use NAT64
    'https://[2002:a9fe:a9fe::]/', // 6to4 around the metadata address
    'https://[2002:0808:0808::]/', // 6to4 at all
    'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', // Teredo
    'https://[2001:db8::1]/', // documentation
    'https://[3fff::1]/', // documentation
    'https://[fec0::1]/', // site-local
    'https://[fe80::1]/', // link-local
    'https://[fd00:ec2::254]/', // unique local (AWS metadata)
    'https://[ff02::1]/', // multicast
    'https://[::]/',
    'https://169.254.169.254../',
    'https://10.0.0.1../',
    'https://10.0.0.1./',
    'https://192.88.99.1/',
    'https://kubernetes.default.svc/',
    'https://kubernetes.default.svc.cluster.local/',
    'https://vault.service.consul/',
    'https://metadata.google.internal./',
    'https://printer.local../',
    'https://a..b.com/',
  ])('refuses %s', (url) => {
    expect(urlProblem(url, prod)).toMatch(/public host/);
    expect(urlProblem(url, dev)).toMatch(/public host/);
  });

  it.each(['https://example.123/', 'https://[::ffff:10.0.0.1:80]/'])('refuses %s (not a URL to the parser)', (url) => {
    expect(urlProblem(url, prod)).toBe('must be an absolute URL');
  });

  it.each(['https://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'https://[2a00:1450:4001::200e]/', 'https://hooks.example.com./x', 'https://1.1.1.1./'])(
    'accepts public unicast %s',
    (url) => {
      expect(urlProblem(url, prod)).toBeNull();
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
