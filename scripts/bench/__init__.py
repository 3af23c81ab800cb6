"""The benchmark behind `make bench`: the public pages' cost, as multiples of a trivial request.

For each size (1,000 and 100,000 actions by default) it builds a PostgreSQL database with
`create_demo_data` (kept and reused on the next run when it was built with the same size and seed;
`--rebuild` forces it), counts the queries of every public page in-process, then serves the site with
gunicorn (`config/gunicorn.conf.py`, 2 workers, production settings) and measures, with `wrk` on
127.0.0.1:

- requests per second, and the CPU time per request of the gunicorn workers and of the PostgreSQL
  backends serving this database (utime + stime from /proc, before and after each run, divided by the
  requests wrk counted);
- for `/healthz` (a trivial request with one `SELECT 1`) and each endpoint, in three interleaved
  repetitions (healthz, then each endpoint with healthz again after it, three times over); each
  endpoint's cost is divided by the mean cost of the two healthz runs beside it, and the medians are
  reported. Ratios cancel much of what the machine is doing besides: the figures of a loaded machine
  are comparable with those of an idle one, and a drift of the machine's speed within a repetition
  (a minute) cancels too;
- first with the cache off (`CACHE_URL=dummycache://`), then with Redis, where the pages come from the
  page cache;
- with the cache off, the dashboard, the API's actions and the full actions CSV once more, each asked
  once as wrk asks (no compression) and once with `Accept-Encoding: gzip`, one request at a time: the
  bytes raw and on the wire, whether the compressed answer said `Content-Encoding: gzip` and
  `Vary: Accept-Encoding`, and each request's time to the last byte and CPU time;
- the workers' resident memory at the end, and whether `ETag` / conditional GET answers 304 when nothing
  changed and a new page when something changed elsewhere;
- at the end, for the sizes the growth targets compare, each page timed in-process at both sizes in
  turn (`paired`: one process per database, asked alternately, 100 rounds), so that the ratio of the
  two best times holds the page's growth and not the machine's drift between two measurements.

It prints a table with each target PASS or FAIL, and writes it to bench-results/bench.txt and, with
every figure, to bench-results/bench.json. A missed target is a result, not an error: the exit status
is non-zero only when the benchmark itself could not run. Progress lines go to stderr when it is a
terminal; in a log or CI only the table (and any notice that changes how to read it) is printed.

Entry points (run from the project's folder):

    .venv/bin/python -m scripts.bench [options]            the benchmark (`make bench`); --help for options
    .venv/bin/python -m scripts.bench --from-json PATH     the table and verdicts of an earlier run
    .venv/bin/python -m scripts.bench.query_counts         the query counts of one database, as JSON
    .venv/bin/python -m scripts.bench.paired --serve       answers paths on stdin with their time (used by the run)

The benchmark runs `scripts.bench.query_counts` in a process of its own for each database (Django is
set up once per database, with that database's settings), and reads the JSON it prints.

Modules: `__main__` (options and the run order), `pages` (what is measured), `targets` (every target
as data, and the verdicts), `stats` (medians, ratios, summaries), `wrk` (its command and its output),
`report` (the table and the JSON), `measure` (load runs and ETag checks), `datasets` (the databases),
`processes` (commands, /proc, PostgreSQL, gunicorn, Redis), `query_counts`, `paired` (the growth
targets' timing), `console` (progress),
`errors`. `pages`, `targets`, `stats`, `wrk` and `report` do no I/O; tests/bench tests them.

Standard library only; it shells out to wrk, psql, createdb, dropdb and redis-cli.
"""
