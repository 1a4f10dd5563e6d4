-- wrk: GET one record each request (bench/app.sh).
local token = os.getenv("TOKEN")
local path = "/api/v1/zones/" .. os.getenv("ZONE") .. "/records/" .. os.getenv("RECORD")

request = function()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
