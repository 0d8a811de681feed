-- 70% reads of one todo, 20% writes (half creates, half PATCHes with If-Match), 10% lists.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.number_thread

local read_ids, patch_ids, etags, prefix, list_path
local next_patch = 0
local counter = 0

function init(args)
  common.seed_random(thread_index)
  prefix = common.env("BENCH_PREFIX")
  list_path = common.env("BENCH_PATH")
  read_ids = common.read_lines(common.env("BENCH_IDS"))
  patch_ids, etags = common.own_versions(
    common.env("BENCH_VERSIONS"), thread_index, tonumber(common.env("BENCH_THREADS")))
  wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")
end

function request()
  local roll = math.random(100)
  if roll <= 70 then
    return wrk.format("GET", prefix .. "/" .. read_ids[math.random(#read_ids)])
  elseif roll <= 80 then
    counter = counter + 1
    local body = string.format('{"title":"Mixed load todo %d"}', counter)
    return wrk.format("POST", prefix, common.with_headers({ ["Content-Type"] = "application/json" }), body)
  elseif roll <= 90 then
    next_patch = next_patch % #patch_ids + 1
    local id = patch_ids[next_patch]
    return wrk.format("PATCH", prefix .. "/" .. id,
      common.with_headers({ ["Content-Type"] = "application/json", ["If-Match"] = etags[id] }),
      string.format('{"priority":"%s"}', next_patch % 2 == 0 and "low" or "high"))
  end
  return wrk.format("GET", list_path)
end

function response(status, headers, body)
  common.remember_etag(etags, headers, body)
end

done = common.done
