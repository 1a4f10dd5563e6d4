-- wrk: GET a whole zone through the PowerDNS API dialect (bench/app.sh).
local key = os.getenv("KEY")
local path = "/api/v1/servers/localhost/zones/" .. os.getenv("ZONE")

request = function()
  return wrk.format("GET", path, { ["X-API-Key"] = key })
end
