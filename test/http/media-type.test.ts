import t from 'tap';
import { preferredMediaType } from '../../src/http/media-type.js';

const OFFERS = ['application/ld+json', 'text/turtle', 'application/json'];

t.test('content negotiation', async (t) => {
  t.equal(preferredMediaType(undefined, OFFERS), 'application/ld+json', 'no Accept: the first offer');
  t.equal(preferredMediaType('', OFFERS), 'application/ld+json');
  t.equal(preferredMediaType('*/*', OFFERS), 'application/ld+json');
  t.equal(preferredMediaType('text/turtle', OFFERS), 'text/turtle');
  t.equal(preferredMediaType('Text/Turtle; charset=utf-8', OFFERS), 'text/turtle', 'case and parameters do not matter');
  t.equal(preferredMediaType('text/*', OFFERS), 'text/turtle');
  t.equal(preferredMediaType('application/json, text/turtle;q=0.5', OFFERS), 'application/json');
  t.equal(preferredMediaType('text/turtle;q=0.4, application/ld+json;q=0.8', OFFERS), 'application/ld+json', 'the higher quality wins');
  t.equal(preferredMediaType('text/turtle, application/ld+json', OFFERS), 'application/ld+json', 'equal quality: our order');
  t.equal(preferredMediaType('*/*;q=0.1, text/turtle;q=0', OFFERS), 'application/ld+json', 'q=0 refuses one type beside a wildcard');
  t.equal(preferredMediaType('application/ld+json;q=0, application/json;q=0, */*;q=0.5', OFFERS), 'text/turtle');
  t.equal(preferredMediaType('application/rdf+xml', OFFERS), null);
  t.equal(preferredMediaType('text/html, image/*', OFFERS), null);
  t.equal(preferredMediaType('garbage', OFFERS), null, 'a malformed range matches nothing');
  t.equal(preferredMediaType('text/turtle;q=abc', OFFERS), null, 'a malformed quality is ignored');
});
