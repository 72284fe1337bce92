-- One wrk script for every scenario of bench/run.py, configured by the environment:
--   BENCH_PATHS   a file of request paths, one a line (random UCRNs, search queries, pages); each request
--                 takes one at random
--   BENCH_METHOD  GET (default) or PATCH
--   BENCH_BODY    "fields": a PATCH of two fields; "address": a PATCH with a new primary address
--   BENCH_POSTCODES  a file of postcodes, one a line, for the new addresses (else a few fixed ones)
--   BENCH_AUTH    the Authorization header (Token ...), if any
--   BENCH_COOKIE  the Cookie header (a signed-in CSA's session), if any
--   BENCH_OUT     where done() writes the figures as JSON (latencies in microseconds)
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local method = os.getenv("BENCH_METHOD") or "GET"
local body_kind = os.getenv("BENCH_BODY") or ""
local headers = {}
if os.getenv("BENCH_AUTH") then headers["Authorization"] = os.getenv("BENCH_AUTH") end
if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
if body_kind ~= "" then headers["Content-Type"] = "application/json" end

local first_names = {"Alex", "Sam", "Jo", "Chris", "Robin", "Kim", "Charlie", "Jamie", "Frankie", "Max"}
local postcodes = {"M1 1AE", "BS1 4DJ", "LS6 2AB", "B15 2TT", "SE1 7PB", "CF10 1EP", "EH1 1YZ", "G12 8QQ"}
if os.getenv("BENCH_POSTCODES") then
  postcodes = {}
  for line in io.lines(os.getenv("BENCH_POSTCODES")) do
    if #line > 0 then postcodes[#postcodes + 1] = line end
  end
end
local streets = {"Bench Street", "Load Lane", "Latency Road", "Throughput Way", "Queue Avenue"}

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  math.randomseed(1000 + (thread_id or 0) * 7919)
end

local function body()
  if body_kind == "fields" then
    return string.format('{"first_name": "%s", "twitter": "bench_%d"}',
      first_names[math.random(#first_names)], math.random(1, 999999999))
  elseif body_kind == "address" then
    return string.format(
      '{"house": "%d", "street": "%s", "postcode": "%s", "update_primary_address": 0, "address_is_primary": 1}',
      math.random(1, 99999), streets[math.random(#streets)], postcodes[math.random(#postcodes)])
  end
  return nil
end

function request()
  return wrk.format(method, paths[math.random(#paths)], headers, body())
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f,'
    .. ' "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
  out:close()
end
