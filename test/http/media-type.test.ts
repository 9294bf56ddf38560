import t from 'tap';
import { negotiate, type Offer } from '../../src/http/media-type.js';

const CATALOG: Offer<string>[] = ['application/ld+json', 'text/turtle', 'application/json'].map((type) => ({ format: type, type }));

t.test('content negotiation among plain offers (the catalogue)', async (t) => {
  const pick = (accept: string | undefined) => negotiate(accept, CATALOG)?.type ?? null;
  t.equal(pick(undefined), 'application/ld+json', 'no Accept: the first offer');
  t.equal(pick(''), 'application/ld+json');
  t.equal(pick('*/*'), 'application/ld+json');
  t.equal(pick('text/turtle'), 'text/turtle');
  t.equal(pick('Text/Turtle; charset=utf-8'), 'text/turtle', 'case and a charset do not matter');
  t.equal(pick('text/*'), 'text/turtle');
  t.equal(pick('application/json, text/turtle;q=0.5'), 'application/json');
  t.equal(pick('text/turtle;q=0.4, application/ld+json;q=0.8'), 'application/ld+json', 'the higher quality wins');
  t.equal(pick('text/turtle, application/ld+json'), 'application/ld+json', 'equal quality: our order');
  t.equal(pick('*/*;q=0.1, text/turtle;q=0'), 'application/ld+json', 'q=0 refuses one type beside a wildcard');
  t.equal(pick('application/ld+json;q=0, application/json;q=0, */*;q=0.5'), 'text/turtle');
  t.equal(pick('application/rdf+xml'), null);
  t.equal(pick('text/html, image/*'), null);
  t.equal(pick('garbage'), null, 'a malformed range matches nothing');
  t.equal(pick('text/turtle;q=abc'), null, 'a malformed quality counts as 0');
});

t.test('content negotiation: q values, wildcards, versions, aliases', async (t) => {
  const offers = [
    { format: 'xml', type: 'application/vnd.sdmx.structurespecificdata+xml;version=2.1', aliases: ['application/xml'] },
    { format: 'csv', type: 'application/vnd.sdmx.data+csv;version=1.0.0', aliases: ['text/csv'] },
  ];
  const pick = (accept: string | undefined) => negotiate(accept, offers)?.format;
  t.equal(pick(undefined), 'xml', 'no Accept: the default');
  t.equal(pick(''), 'xml');
  t.equal(pick('*/*'), 'xml');
  t.equal(pick('text/csv'), 'csv', 'an alias');
  t.equal(pick('application/vnd.sdmx.data+csv;version=1.0.0'), 'csv');
  t.equal(pick('application/vnd.sdmx.data+csv; version="1.0.0"'), 'csv', 'a quoted parameter');
  t.equal(pick('application/vnd.sdmx.data+csv;version=2.0.0'), undefined, 'another version is another format');
  t.equal(pick('application/xml;q=0.4, text/csv;q=0.8'), 'csv', 'the higher q');
  t.equal(pick('text/*'), 'csv');
  t.equal(pick('application/xml;q=0, */*'), 'csv', 'a specific q=0 refuses despite the wildcard');
  t.equal(pick('image/png, nonsense'), undefined);
  t.equal(pick('text/csv;q=abc'), undefined, 'a malformed q counts as 0');
});
