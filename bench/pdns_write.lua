-- wrk: each request PATCHes one RRset of ZONE through the PowerDNS API
-- dialect (PowerDNS and appsrv alike) (bench/app.sh). WRITES=replace (the
-- default) REPLACEs one of ten RRsets with a new address, so that the zone
-- keeps its size; WRITES=new puts in a new RRset each time, as
-- ../shared/BENCHMARKING.md measured PowerDNS, and the zone grows.
local counter = 0
local key = os.getenv("KEY")
local zone = os.getenv("ZONE")
local new = os.getenv("WRITES") == "new"
math.randomseed(os.time())
-- A prefix per run: names of an earlier run are not new.
local prefix = os.getenv("PREFIX") or ("w" .. math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local name = prefix .. "-" .. (new and counter or counter % 10) .. "." .. zone
  local body = '{"rrsets": [{"name": "' .. name .. '", "type": "A", "ttl": 60, ' ..
    '"changetype": "REPLACE", "records": [{"content": "192.0.2.' .. (counter % 250 + 1) ..
    '", "disabled": false}]}]}'
  return wrk.format("PATCH", "/api/v1/servers/localhost/zones/" .. zone,
    { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end
