-- POST the OAuth2 password form to auth's /login (argon2id verification each time).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local login_request

function init(args)
  local form = "grant_type=password&username=" .. common.env("BENCH_USERNAME")
    .. "&password=" .. common.env("BENCH_PASSWORD")
  login_request = wrk.format("POST", common.env("BENCH_PATH"),
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, form)
end

function request()
  return login_request
end

done = common.done
