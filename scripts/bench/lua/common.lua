-- Shared by every scenario. wrk runs each thread in its own Lua state, so each requires
-- this module itself; the harness passes its inputs in BENCH_* environment variables.
local M = {}

function M.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("the harness did not set " .. name)
  end
  return value
end

function M.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  return lines
end

-- wrk's setup(thread), in the main Lua state: numbers the threads 0, 1, ... so each can take
-- its own share of the todos (the global `thread_index` in the thread's own state).
local threads_numbered = 0
function M.number_thread(thread)
  thread:set("thread_index", threads_numbered)
  threads_numbered = threads_numbered + 1
end

-- A different random sequence in every thread (os.time() alone is shared by all).
function M.seed_random(salt)
  math.randomseed(os.time() * 1000 + (salt or 0) + math.floor(os.clock() * 1000000))
end

-- Todo ids and their current ETags, from lines "<id> <version>": this thread's share only,
-- so no two threads ever change the same todo and every If-Match is current.
function M.own_versions(path, thread_index, threads)
  local ids, etags = {}, {}
  for index, line in ipairs(M.read_lines(path)) do
    if (index - 1) % threads == thread_index then
      local id, version = line:match("^(%S+)%s+(%d+)$")
      ids[#ids + 1] = id
      etags[id] = '"' .. version .. '"'
    end
  end
  return ids, etags
end

-- A todo in a response body: remember its ETag for the next If-Match on it.
function M.remember_etag(etags, headers, body)
  local etag = headers["etag"] or headers["ETag"] or headers["Etag"]
  if etag == nil or body == nil then
    return
  end
  local id = body:match('"id":%s*"([%x-]+)"')
  if id ~= nil then
    etags[id] = etag
  end
end

-- wrk.format uses the headers it is given instead of wrk.headers, not on top of them.
function M.with_headers(extra)
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  for name, value in pairs(extra) do
    headers[name] = value
  end
  return headers
end

-- The summary the harness parses: one line, after a marker.
function M.done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,' ..
    '"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

return M
