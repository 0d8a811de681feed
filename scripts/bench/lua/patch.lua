-- PATCH a todo with If-Match set to its current ETag. Each thread cycles through its own
-- share of the todos and learns each new ETag from the response, so no request is stale.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.number_thread

local ids, etags, prefix
local next_index = 0

function init(args)
  prefix = common.env("BENCH_PREFIX")
  ids, etags = common.own_versions(
    common.env("BENCH_VERSIONS"), thread_index, tonumber(common.env("BENCH_THREADS")))
  wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  next_index = next_index % #ids + 1
  local id = ids[next_index]
  local body = string.format('{"completed":%s}', next_index % 2 == 0 and "true" or "false")
  return wrk.format("PATCH", prefix .. "/" .. id, common.with_headers({ ["If-Match"] = etags[id] }), body)
end

function response(status, headers, body)
  common.remember_etag(etags, headers, body)
end

done = common.done
