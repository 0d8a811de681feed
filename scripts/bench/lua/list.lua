-- GET one page of the owner's todos: the path and query (limit, filter, cursor) are fixed.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local page_request

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")
  page_request = wrk.format("GET", common.env("BENCH_PATH"))
end

function request()
  return page_request
end

done = common.done
