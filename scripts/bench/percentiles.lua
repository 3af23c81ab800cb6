-- wrk prints the 50th, 90th and 99th percentiles; the load test also needs the 95th. At the end of the
-- run this prints one line per percentile, in microseconds, read by scripts/bench/wrk.py.
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %d %d\n", p, latency:percentile(p)))
  end
end
