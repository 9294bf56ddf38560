import t from 'tap';
import { jsonLimitBreach } from '../../src/http/json-limits.js';

const limits = { maxDepth: 4, maxArrayItems: 3 };
const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

t.test('depth counts arrays and objects open at once', async (t) => {
  t.equal(jsonLimitBreach(nested(4), limits), undefined);
  t.same(jsonLimitBreach(nested(5), limits), { kind: 'depth' });
  t.equal(jsonLimitBreach('{"a":{"b":[{"c":1}]}}', limits), undefined, 'objects and arrays alike, four levels');
  t.same(jsonLimitBreach('{"a":{"b":[{"c":[1]}]}}', limits), { kind: 'depth' });
  t.equal(jsonLimitBreach('[[1],[2],[3]]', limits), undefined, 'siblings do not add up');
  t.same(jsonLimitBreach(nested(100_000), limits), { kind: 'depth' }, 'a 100,000-level body is refused at the fifth level');
});

t.test('items are counted per array, never per object', async (t) => {
  t.equal(jsonLimitBreach('[1,2,3]', limits), undefined);
  t.same(jsonLimitBreach('[1,2,3,4]', limits), { kind: 'array-items' });
  t.equal(jsonLimitBreach('{"a":1,"b":2,"c":3,"d":4}', limits), undefined);
  t.equal(jsonLimitBreach('[[1,2,3],[1,2,3],[1,2,3]]', limits), undefined, 'each array on its own');
  t.same(jsonLimitBreach('[[1,2],{"a":1,"b":2,"c":3,"d":4},[1,2,3,4]]', limits), { kind: 'array-items' });
  t.equal(jsonLimitBreach('[]', limits), undefined);
});

t.test('brackets and commas inside strings are text, escaped quotes included', async (t) => {
  t.equal(jsonLimitBreach('["[[[[[[,,,,,,", "a\\"[[[[[,,,,"]', limits), undefined);
  t.equal(jsonLimitBreach('["a\\\\", "[[[[[["]', limits), undefined, 'an escaped backslash does not escape the quote after it');
  t.same(jsonLimitBreach('["a\\\\",1,2,3]', limits), { kind: 'array-items' });
  t.equal(jsonLimitBreach('{"k[[[[[": "v,,,,,"}', limits), undefined, 'keys too');
});

t.test('malformed text is left to the parser', async (t) => {
  for (const text of ['', '[', ']]]]', '["unterminated', '{,,,,,}', 'nonsense']) {
    t.equal(jsonLimitBreach(text, limits), undefined, JSON.stringify(text));
  }
});
