-- wrk script for bench/flash_crowd.py: every request carries a different pre-issued pass.
-- wrk -s flash_entries.lua URL -- PASSES_FILE THREADS ACK_PREFIX RUN_LABEL
-- Each thread takes every THREADS-th pass; past the end it wraps around (those are duplicates).
-- Entry ids of 201 replies go to ACK_PREFIX<thread> when ACK_PREFIX is not "-".

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local passes = {}
local counter = 0
local out = nil
local label = "run"
statuses = {}

function init(args)
  local nthreads = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == tid then passes[#passes + 1] = line end
    i = i + 1
  end
  if args[3] ~= "-" then out = io.open(args[3] .. tid, "w") end
  label = args[4] or label
end

function request()
  counter = counter + 1
  local pass = passes[((counter - 1) % #passes) + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = label .. "-" .. tid .. "-" .. counter,
  }, '{"pass":"' .. pass .. '"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 and out then
    out:write(string.match(body, '"entry_id":"(%x+)"'), "\n")
    out:flush()
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do parts[#parts + 1] = '"' .. code .. '":' .. n end
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"socket_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, table.concat(parts, ",")))
end
