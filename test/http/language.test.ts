import t from 'tap';
import { pickLanguage } from '../../src/http/language.js';

t.test('Indonesian is the default when the client states no preference', async (t) => {
  t.equal(pickLanguage(undefined), 'id');
  t.equal(pickLanguage(''), 'id');
});

t.test('English when the client asks for it, with or without a region subtag', async (t) => {
  t.equal(pickLanguage('en'), 'en');
  t.equal(pickLanguage('en-US'), 'en');
  t.equal(pickLanguage('EN-gb'), 'en', 'language tags are case-insensitive');
  t.equal(pickLanguage('en-US,en;q=0.9,id;q=0.8'), 'en');
});

t.test('Indonesian when asked for, including the legacy "in" tag', async (t) => {
  t.equal(pickLanguage('id'), 'id');
  t.equal(pickLanguage('id-ID'), 'id');
  t.equal(pickLanguage('in'), 'id');
});

t.test('quality values decide between English and Indonesian', async (t) => {
  t.equal(pickLanguage('en;q=0.5, id;q=0.9'), 'id', 'Indonesian preferred over English');
  t.equal(pickLanguage('id;q=0.5, en;q=0.9'), 'en', 'English preferred over Indonesian');
  t.equal(pickLanguage('id;q=0.4,en'), 'en', 'a tag without q counts as q=1');
  t.equal(pickLanguage('en; q=0.8, id; q=0.3'), 'en', 'whitespace around parameters is tolerated');
});

t.test('languages we do not serve fall back to Indonesian', async (t) => {
  t.equal(pickLanguage('fr'), 'id');
  t.equal(pickLanguage('fr-FR, de;q=0.8'), 'id');
  t.equal(pickLanguage('*'), 'id');
  t.equal(pickLanguage('fr, en;q=0.3'), 'en', 'English is used when it is the only supported language listed');
});

t.test('q=0 means "not acceptable" and malformed q values are ignored', async (t) => {
  t.equal(pickLanguage('en;q=0'), 'id');
  t.equal(pickLanguage('en;q=0, id;q=0'), 'id');
  t.equal(pickLanguage('en;q=abc'), 'id');
  t.equal(pickLanguage('en;q=0, fr'), 'id');
});
