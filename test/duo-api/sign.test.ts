// Vectors from /work/shared/reference/duo.md section 4 (duo_client_python tests/test_client.py,
// duo_client_java HttpSignHMACTest/HttpCanonRequestTest, and the duo-client-0.3.0 jar).
import { describe, expect, it } from 'vitest';
import { canonParams, canonicalize, rfc2822Date, signV1, signV2 } from '../../src/duo-api/sign.js';

const UNICODE_PARAMS: Record<string, string> = {
  '\u469a\u287b\u35d0\u8ef3\u6727\u502a\u0810\ud091\xc8\uc170':
    '\u0f45\u1a76\u341a\u654c\uc23f\u9b09\uabe2\u8343\u1b27\u60d0',
  '\u7449\u7e4b\uccfb\u59ff\ufe5f\u83b7\uadcc\u900c\ucfd1\u7813':
    '\u8db7\u5022\u92d3\u42ef\u207d\u8730\uacfe\u5617\u0946\u4e30',
  '\u7470\u9314\u901c\u9eae\u40d8\u4201\u82d8\u8c70\u1d31\ua042':
    '\u17d9\u0ba8\u9358\uaadf\ua42a\u48be\ufb96\u6fe9\ub7ff\u32f3',
  '\uc2c5\u2c1d\u2620\u3617\u96b3F\u8605\u20e8\uac21\u5934':
    '\ufba9\u41aa\ubd83\u840b\u2615\u3e6e\u652d\ua8b5\ud56bU',
};

const UNICODE_PARAMS_LINE =
  '%E4%9A%9A%E2%A1%BB%E3%97%90%E8%BB%B3%E6%9C%A7%E5%80%AA%E0%A0%90%ED%82%91%C3%88%EC%85%B0=%E0%BD%85%E1%A9%B6%E3%90%9A%E6%95%8C%EC%88%BF%E9%AC%89%EA%AF%A2%E8%8D%83%E1%AC%A7%E6%83%90' +
  '&%E7%91%89%E7%B9%8B%EC%B3%BB%E5%A7%BF%EF%B9%9F%E8%8E%B7%EA%B7%8C%E9%80%8C%EC%BF%91%E7%A0%93=%E8%B6%B7%E5%80%A2%E9%8B%93%E4%8B%AF%E2%81%BD%E8%9C%B0%EA%B3%BE%E5%98%97%E0%A5%86%E4%B8%B0' +
  '&%E7%91%B0%E9%8C%94%E9%80%9C%E9%BA%AE%E4%83%98%E4%88%81%E8%8B%98%E8%B1%B0%E1%B4%B1%EA%81%82=%E1%9F%99%E0%AE%A8%E9%8D%98%EA%AB%9F%EA%90%AA%E4%A2%BE%EF%AE%96%E6%BF%A9%EB%9F%BF%E3%8B%B3' +
  '&%EC%8B%85%E2%B0%9D%E2%98%A0%E3%98%97%E9%9A%B3F%E8%98%85%E2%83%A8%EA%B0%A1%E5%A4%B4=%EF%AE%A9%E4%86%AA%EB%B6%83%E8%90%8B%E2%98%95%E3%B9%AE%E6%94%AD%EA%A2%B5%ED%95%ABU';

const COMMON = {
  date: 'Fri, 07 Dec 2012 17:18:00 -0000',
  method: 'PoSt',
  host: 'foO.BAr52.cOm',
  path: '/Foo/BaR2/qux',
  ikey: 'test_ikey',
  skey: 'gtdfxv9YgVBYcF6dl2Eq17KUQJN2PLM2ODVTkvoT',
};

describe('canonical string (duo_client_python TestCanonicalize / TestSign)', () => {
  it('v2: date, upper-cased method, lower-cased host, path as sent, sorted encoded unicode params', () => {
    expect(canonicalize({ ...COMMON, params: UNICODE_PARAMS })).toBe(
      ['Fri, 07 Dec 2012 17:18:00 -0000', 'POST', 'foo.bar52.com', '/Foo/BaR2/qux', UNICODE_PARAMS_LINE].join('\n'),
    );
  });

  it('v1 is the same string without the date line', () => {
    expect(canonicalize({ ...COMMON, params: UNICODE_PARAMS }, 1)).toBe(
      ['POST', 'foo.bar52.com', '/Foo/BaR2/qux', UNICODE_PARAMS_LINE].join('\n'),
    );
    expect(signV1({ ...COMMON, params: UNICODE_PARAMS }).canonical).not.toContain('2012');
  });
});

describe('HMAC signatures and Authorization header', () => {
  it('v2 HMAC-SHA1 matches f01811cb… and its Basic header', () => {
    const s = signV2({ ...COMMON, params: UNICODE_PARAMS, digest: 'sha1' });
    expect(s.signature).toBe('f01811cbbf9561623ab45b893096267fd46a5178');
    expect(s.authorization).toBe('Basic dGVzdF9pa2V5OmYwMTgxMWNiYmY5NTYxNjIzYWI0NWI4OTMwOTYyNjdmZDQ2YTUxNzg=');
  });

  it('HMAC-SHA1 is the default digest (what the legacy Jira filter uses)', () => {
    expect(signV2({ ...COMMON, params: UNICODE_PARAMS }).signature).toBe('f01811cbbf9561623ab45b893096267fd46a5178');
  });

  it('v2 HMAC-SHA512 matches 05080650…', () => {
    const s = signV2({ ...COMMON, params: UNICODE_PARAMS, digest: 'sha512' });
    expect(s.signature).toBe(
      '0508065035a03b2a1de2f453e629e791d180329e157f65df6b3e0f08299d4321e1c5c7a7c7ee6b9e5fc80d1fb6fbf3ad5eb7c44dd3b3985a02c37aca53ec3698',
    );
    expect(s.authorization).toBe('Basic ' + Buffer.from(`test_ikey:${s.signature}`).toString('base64'));
  });
});

describe('parameter encoding (TestQueryParameters / HttpCanonRequestTest)', () => {
  const table: Array<[string, Record<string, string>, string]> = [
    ['none', {}, ''],
    ['space becomes %20', { realname: 'First Last' }, 'realname=First%20Last'],
    ['two params', { realname: 'First Last', username: 'root' }, 'realname=First%20Last&username=root'],
    ['sorted by key', { words: 'First Last', success: 'true', digit: '5' }, 'digit=5&success=true&words=First%20Last'],
    ['sorted by encoded key, prefix first', { foo_bar: '2', foo: '1' }, 'foo=1&foo_bar=2'],
    [
      'printable ASCII and whitespace',
      {
        digits: '0123456789',
        letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
        punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
        whitespace: '\t\n\x0b\x0c\r ',
      },
      'digits=0123456789&letters=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ' +
        '&punctuation=%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~' +
        '&whitespace=%09%0A%0B%0C%0D%20',
    ],
  ];
  it.each(table)('%s', (_name, params, expected) => {
    expect(canonParams(params)).toBe(expected);
  });

  it('a param-less canonical string ends with an empty params line', () => {
    expect(canonicalize({ date: 'D', method: 'get', host: 'H', path: '/p' })).toBe('D\nGET\nh\n/p\n');
  });
});

describe('extra ASCII v2 vectors (duo-client-0.3.0 jar)', () => {
  const jar = {
    date: 'Tue, 21 Aug 2012 17:29:18 -0000',
    ikey: 'DIXXXXXXXXXXXXXXXXXX',
    skey: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
  };

  it('GET /auth/v2/check, no params', () => {
    const s = signV2({ ...jar, method: 'GET', host: 'API-XXXXXXXX.duosecurity.com', path: '/auth/v2/check' });
    expect(s.canonical).toBe('Tue, 21 Aug 2012 17:29:18 -0000\nGET\napi-xxxxxxxx.duosecurity.com\n/auth/v2/check\n');
    expect(s.signature).toBe('d967b6fb7404b4271ee361ec0acc50d37e128210');
    expect(s.authorization).toBe(
      'Basic RElYWFhYWFhYWFhYWFhYWFhYWFg6ZDk2N2I2ZmI3NDA0YjQyNzFlZTM2MWVjMGFjYzUwZDM3ZTEyODIxMA==',
    );
  });

  it('POST /auth/v2/preauth username=testuser', () => {
    const s = signV2({
      ...jar,
      method: 'POST',
      host: 'api-xxxxxxxx.duosecurity.com',
      path: '/auth/v2/preauth',
      params: { username: 'testuser' },
    });
    expect(s.canonical).toBe(
      'Tue, 21 Aug 2012 17:29:18 -0000\nPOST\napi-xxxxxxxx.duosecurity.com\n/auth/v2/preauth\nusername=testuser',
    );
    expect(s.signature).toBe('23eb3e44a7cea7f722bcbfe2fa3a3e4bb8ba0462');
    expect(s.authorization).toBe(
      'Basic RElYWFhYWFhYWFhYWFhYWFhYWFg6MjNlYjNlNDRhN2NlYTdmNzIyYmNiZmUyZmEzYTNlNGJiOGJhMDQ2Mg==',
    );
  });

  it('realname/username on the mixed-case test request', () => {
    const s = signV2({ ...COMMON, params: { realname: 'First Last', username: 'root' } });
    expect(s.signature).toBe('7ff5ce1d9c922a94b6474d02d334096a9f8e0b44');
    expect(s.authorization).toBe('Basic dGVzdF9pa2V5OjdmZjVjZTFkOWM5MjJhOTRiNjQ3NGQwMmQzMzQwOTZhOWY4ZTBiNDQ=');
  });
});

describe('rfc2822Date', () => {
  it('formats UTC with a -0000 offset, zero-padded', () => {
    expect(rfc2822Date(new Date(Date.UTC(2012, 7, 21, 17, 29, 18)))).toBe('Tue, 21 Aug 2012 17:29:18 -0000');
    expect(rfc2822Date(new Date(Date.UTC(2012, 11, 7, 17, 18, 0)))).toBe('Fri, 07 Dec 2012 17:18:00 -0000');
    expect(rfc2822Date(new Date(Date.UTC(2025, 0, 5, 3, 4, 5)))).toBe('Sun, 05 Jan 2025 03:04:05 -0000');
  });

  it('round-trips through Date.parse (what a server does with the header)', () => {
    const d = new Date(Date.UTC(2030, 5, 30, 23, 59, 59));
    expect(Date.parse(rfc2822Date(d))).toBe(d.getTime());
  });
});
