import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import fs from 'node:fs';
let t=Date.now();
const db = new PGlite({ extensions: { pg_trgm } });
await db.waitReady; console.log('start', Date.now()-t); t=Date.now();
await db.exec('create extension if not exists pg_trgm; create table r(code text primary key, name text not null, parent text, level smallint)');
const lines = fs.readFileSync('/work/shared/reference/wilayah-kepmendagri-2025.csv','utf8').trim().split('\n').slice(1);
const codes=[],names=[];
for (const l of lines){ const i=l.indexOf(','); codes.push(l.slice(0,i)); names.push(l.slice(i+1).replace(/^"|"$/g,'')); }
for (let i=0;i<codes.length;i+=10000){
  await db.query('insert into r(code,name) select * from unnest($1::text[],$2::text[])',[codes.slice(i,i+10000),names.slice(i,i+10000)]);
}
console.log('insert', Date.now()-t); t=Date.now();
await db.exec('create index on r using gin (lower(name) gin_trgm_ops)');
console.log('index', Date.now()-t); t=Date.now();
const r = await db.query("select count(*)::int n, pg_typeof(1.5::numeric) from r");console.log(r.rows, (await db.query("select 1.50::numeric v, 5::bigint b, now() d")).rows);
const dump = await db.dumpDataDir('none'); console.log('dump', Date.now()-t, dump.size); t=Date.now();
const db2 = new PGlite({ loadDataDir: dump, extensions:{pg_trgm} }); await db2.waitReady;
console.log('load', Date.now()-t, (await db2.query("select count(*) from r where lower(name) like '%salatiga%'")).rows); 
