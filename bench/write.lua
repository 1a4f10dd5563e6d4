-- wrk: POST a new, unique A record each request (bench/app.sh).
local counter = 0
local token = os.getenv("TOKEN")
local zone = os.getenv("ZONE")
math.randomseed(os.time())
-- PREFIX keeps two wrk started in the same second apart.
local prefix = os.getenv("PREFIX") or ("w" .. math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local body = '{"name": "' .. prefix .. '-' .. counter .. '", "type": "A", "content": "10.0.0.1"}'
  return wrk.format("POST", "/api/v1/zones/" .. zone .. "/records",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
