// The same simplified rule as loop/main.go, as SQL in DuckDB: an ASOF
// join finds each business message's latest customer message; free
// within 24 h, else billed at the country's rate. Prints the totals.
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const sql = `
WITH m AS (
  SELECT timestamp::TIMESTAMP AS ts, business::VARCHAR AS business, customer::VARCHAR AS customer, direction
  FROM read_csv('${file}', header = true, all_varchar = true)
), inb AS (SELECT business, customer, ts FROM m WHERE direction = 'in'),
outb AS (SELECT business, customer, ts FROM m WHERE direction = 'out'),
priced AS (
  SELECT o.customer,
         (i.ts IS NOT NULL AND o.ts < i.ts + INTERVAL 24 HOUR) AS free
  FROM outb o ASOF LEFT JOIN inb i
    ON o.business = i.business AND o.customer = i.customer AND o.ts >= i.ts
)
SELECT count(*) FILTER (WHERE free) AS free,
       count(*) FILTER (WHERE NOT free) AS billed,
       sum(CASE WHEN NOT free THEN CASE substr(customer, 1, 2)
             WHEN '55' THEN 68 WHEN '91' THEN 14 WHEN '52' THEN 85 WHEN '62' THEN 250
             ELSE CASE WHEN substr(customer, 1, 1) = '1' THEN 40 ELSE 77 END END END) AS cost
FROM priced`;
const r = await c.runAndReadAll(sql);
const [free, billed, cost] = r.getRows()[0];
console.log(`free ${free} billed ${billed} cost ${Number(cost) / 10000}`);
