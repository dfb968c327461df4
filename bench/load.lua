-- wrk script for the benchmark: requests come from a spec file written by bench/wrk.py (its path
-- is the first script argument). Spec lines: method, path, then "H name: value" per header and
-- "B body" per request body. Bodies are sent in order, round robin, so a list of bodies that
-- name different keys touches each key once before any repeats.
-- A response that is not 200, whose body has a GraphQL "errors" member, or a batch entry whose
-- "error" is not null (keygraph's list form answers each item's error in its entry), counts as
-- failed: one failed entry fails the whole request.
-- done() prints one line "BENCH-RESULT {json}" with the counts and latency percentiles (us).

local prepared = {}
local position = 0
failed = 0
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   local method = file:read("*l")
   local path = file:read("*l")
   local headers = {}
   local bodies = {}
   for line in file:lines() do
      local kind, rest = line:sub(1, 1), line:sub(3)
      if kind == "H" then
         local name, value = rest:match("^([^:]+):%s*(.*)$")
         headers[name] = value
      elseif kind == "B" then
         table.insert(bodies, rest)
      end
   end
   file:close()
   for index, body in ipairs(bodies) do
      prepared[index] = wrk.format(method, path, headers, body)
   end
end

function request()
   position = position % #prepared + 1
   return prepared[position]
end

function response(status, headers, body)
   if status ~= 200 or body:find('"errors"', 1, true) or body:find('"error"%s*:%s*{') then
      failed = failed + 1
   end
end

function done(summary, latency, requests)
   local failures = 0
   for _, thread in ipairs(threads) do
      failures = failures + thread:get("failed")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
         .. '"failed": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
         .. '"status_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      failures, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
