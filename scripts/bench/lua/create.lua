-- POST a new todo.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local prefix
local counter = 0

function init(args)
  prefix = common.env("BENCH_PREFIX")
  wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"title":"Benchmark todo %d","description":"Created under load","priority":"high"}',
    counter)
  return wrk.format("POST", prefix, nil, body)
end

done = common.done
