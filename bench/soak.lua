-- wrk script for bench/soak: mixed valid and invalid traffic against the
-- bundled specs, every response sorted by what it should be.
--
-- Each connection cycles through five requests:
--   1. valid Unleash PUT                     -> 200 update-api-token
--   2. invalid Unleash PUT (expiresAt)       -> 422 update-api-token
--   3. Adafruit GET getToken with X-AIO-Key  -> 200 getToken
--   4. Axiom regenerate with 2 violations    -> 422 regenerateAPIToken
--   5. an unknown path                       -> 404 (no operation)
-- The response callback counts each (status, operation) pair it recognises
-- and anything else as "unexpected"; 5xx are counted apart. `done` prints one
-- line, "soak-counts k=v ...", that bench/soak reads.

local requests = {}
local n = 0

-- wrk.format(method, path, headers, body)
function init(args)
  local json = { ["Content-Type"] = "application/json" }
  local function with(base, extra)
    local h = {}
    for k, v in pairs(base) do h[k] = v end
    for k, v in pairs(extra) do h[k] = v end
    return h
  end
  requests[1] = wrk.format("PUT", "/api/admin/api-tokens/soak-token",
    with(json, { ["Authorization"] = "*:*.admin" }),
    '{"expiresAt":"2030-01-01T00:00:00Z"}')
  requests[2] = wrk.format("PUT", "/api/admin/api-tokens/soak-token",
    with(json, { ["Authorization"] = "*:*.admin" }),
    '{"expiresAt":"tomorrow"}')
  requests[3] = wrk.format("GET", "/api/v2/alice/tokens/1", { ["X-AIO-Key"] = "k" }, nil)
  -- two violations: existingTokenExpiresAt is not a date-time, newToken.name is missing
  requests[4] = wrk.format("POST", "/v2/tokens/soak-token/regenerate",
    with(json, { ["Authorization"] = "Bearer soak" }),
    '{"existingTokenExpiresAt":"next week","newToken":{"description":"no name"}}')
  requests[5] = wrk.format("GET", "/soak/no/such/path", {}, nil)
end

function request()
  n = n + 1
  return requests[(n - 1) % 5 + 1]
end

-- per-thread counters (globals, so `done` can read them with thread:get)
unleash_200, unleash_422, adafruit_200, axiom_422, unrouted_404 = 0, 0, 0, 0, 0
unexpected, server_errors, responses = 0, 0, 0
first_unexpected = ""

function response(status, headers, body)
  responses = responses + 1
  local op = headers["x-specmock-operation"] or headers["X-Specmock-Operation"]
  if status >= 500 then
    server_errors = server_errors + 1
  end
  if status == 200 and op == "update-api-token" then
    unleash_200 = unleash_200 + 1
  elseif status == 422 and op == "update-api-token" then
    unleash_422 = unleash_422 + 1
  elseif status == 200 and op == "getToken" then
    adafruit_200 = adafruit_200 + 1
  elseif status == 422 and op == "regenerateAPIToken" and body:find('"violations"') then
    -- exactly two violations, as sent
    local _, count = body:gsub('"location"', "")
    if count == 2 then
      axiom_422 = axiom_422 + 1
    else
      unexpected = unexpected + 1
      if first_unexpected == "" then first_unexpected = status .. " " .. tostring(op) .. " " .. body:sub(1, 200) end
    end
  elseif status == 404 and op == nil then
    unrouted_404 = unrouted_404 + 1
  else
    unexpected = unexpected + 1
    if first_unexpected == "" then first_unexpected = status .. " " .. tostring(op) .. " " .. body:sub(1, 200) end
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local keys = { "responses", "unleash_200", "unleash_422", "adafruit_200", "axiom_422",
    "unrouted_404", "unexpected", "server_errors" }
  local total = {}
  for _, k in ipairs(keys) do total[k] = 0 end
  local sample = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs(keys) do total[k] = total[k] + (t:get(k) or 0) end
    local u = t:get("first_unexpected")
    if sample == "" and u and u ~= "" then sample = u end
  end
  local line = "soak-counts"
  for _, k in ipairs(keys) do line = line .. " " .. k .. "=" .. total[k] end
  line = line .. " errors_connect=" .. summary.errors.connect .. " errors_read=" .. summary.errors.read
    .. " errors_write=" .. summary.errors.write .. " errors_timeout=" .. summary.errors.timeout
    .. " p50_us=" .. latency:percentile(50) .. " p99_us=" .. latency:percentile(99)
    .. " max_us=" .. latency.max
  io.write(line .. "\n")
  if sample ~= "" then io.write("soak-first-unexpected " .. sample:gsub("\n", " ") .. "\n") end
end
