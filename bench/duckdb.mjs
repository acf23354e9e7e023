// The same simplified rule as loop/main.go, as SQL in DuckDB: a business
// message is free within 24 h of its customer's latest message, else
// billed at the country's rate. Prints the totals on stdout and the
// query's own time (without Node's and DuckDB's start, about 0.3 s) on
// stderr as "query_seconds S".
//
//   node duckdb.mjs FILE [window|asof]
//
// Both queries are the fastest of those tried on this machine (see
// bench/README.md): the log is read with its column types given, the
// time as epoch seconds and the (business, customer) pair as a 64-bit
// hash. At the same second, a customer message counts before a business
// message, as in wacost's replay order.
//   window  the latest customer message by last_value(... IGNORE NULLS)
//           over each pair's rows in time order (the fastest);
//   asof    an ASOF LEFT JOIN of business messages to customer messages.
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const variant = process.argv[3] ?? 'window';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();

const log = `read_csv('${file.replaceAll("'", "''")}', header = true, columns = {
  'timestamp': 'TIMESTAMP', 'id': 'VARCHAR', 'business': 'VARCHAR', 'customer': 'VARCHAR',
  'direction': 'VARCHAR', 'type': 'VARCHAR', 'category': 'VARCHAR', 'status': 'VARCHAR',
  'entry_point': 'VARCHAR'})`;
const m = `SELECT epoch(timestamp)::BIGINT AS ts, hash(business, customer) AS k,
  substr(customer, 1, 2) AS p, direction = 'in' AS isin FROM ${log}`;
const queries = {
  window: `
WITH m AS (${m}),
w AS (SELECT p, isin, ts, last_value(CASE WHEN isin THEN ts END IGNORE NULLS)
        OVER (PARTITION BY k ORDER BY ts, NOT isin ROWS UNBOUNDED PRECEDING) AS lastin FROM m),
priced AS (SELECT p, (lastin IS NOT NULL AND ts < lastin + 86400) AS free FROM w WHERE NOT isin)`,
  asof: `
WITH m AS (${m}),
inb AS (SELECT k, ts FROM m WHERE isin),
outb AS (SELECT k, p, ts FROM m WHERE NOT isin),
priced AS (SELECT o.p, (i.ts IS NOT NULL AND o.ts < i.ts + 86400) AS free
  FROM outb o ASOF LEFT JOIN inb i ON o.k = i.k AND o.ts >= i.ts)`,
};
if (!(variant in queries)) {
  console.error(`unknown query ${variant}: want ${Object.keys(queries).join(' or ')}`);
  process.exit(2);
}
const sql = queries[variant] + `
SELECT count(*) FILTER (WHERE free) AS free,
       count(*) FILTER (WHERE NOT free) AS billed,
       sum(CASE WHEN NOT free THEN CASE p
             WHEN '55' THEN 68 WHEN '91' THEN 14 WHEN '52' THEN 85 WHEN '62' THEN 250
             ELSE CASE WHEN p[1] = '1' THEN 40 ELSE 77 END END END) AS cost
FROM priced`;
const t0 = performance.now();
const r = await c.runAndReadAll(sql);
const seconds = (performance.now() - t0) / 1000;
const [free, billed, cost] = r.getRows()[0];
console.log(`free ${free} billed ${billed} cost ${Number(cost) / 10000}`);
console.error(`query_seconds ${seconds.toFixed(3)}`);
