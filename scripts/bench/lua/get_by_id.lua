-- GET one todo by id, chosen at random from the owner's todos.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local ids, prefix

function init(args)
  common.seed_random(#args)
  ids = common.read_lines(common.env("BENCH_IDS"))
  prefix = common.env("BENCH_PREFIX")
  wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")
end

function request()
  return wrk.format("GET", prefix .. "/" .. ids[math.random(#ids)])
end

done = common.done
