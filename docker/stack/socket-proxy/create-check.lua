-- Checks the body of POST /containers/create for the Docker socket proxy (haproxy.cfg).
--
-- The body is parsed as JSON the way the engine's Go decoder reads it: object keys match
-- case-insensitively (so they are lower-cased here) and the last of duplicate keys wins.
-- A key with non-ASCII characters is refused, because Go also folds a few non-ASCII letters
-- onto ASCII ones (U+017F long s, U+212A Kelvin sign, ...). Then an ALLOW-LIST: every key
-- must be one this file knows, with a value it accepts; anything else is refused, so a field
-- this file has never heard of cannot slip through, and a decoy key nested in an ignored
-- field cannot stand in for a real one.
--
-- What passes is what DockerOperator (docker provider 4.6, docker-py 7) sends for the
-- generated DAGs: a non-root user, the data root (AIRFLOW_ML_DATA_ROOT, exactly) as the only
-- bind mount, network "none" (or the default bridge), dropped capabilities,
-- no-new-privileges, resource limits, a tmpfs /tmp, init, a read-only root filesystem.
-- Refused, among others: privileged containers, root or unset users, host namespaces, added
-- capabilities, devices, security options other than no-new-privileges, binds, other mount
-- sources, volumes-from, volume drivers, published ports, other networks, restart
-- policies, log drivers that ship logs elsewhere, unmasked /proc paths, compose labels.
--
-- Sets txn.create_ok (bool) and, when refused, txn.create_why (a short reason without
-- quotes, returned to the client in the 403 body so a task log says what was refused).

local DATA_ROOT = os.getenv("AIRFLOW_ML_DATA_ROOT") or ""
local MAX_DEPTH = 32

local NULL = setmetatable({}, { __tostring = function() return "null" end })
local OBJECT, ARRAY = {}, {}

-- JSON ------------------------------------------------------------------------------------

local function parse_json(s)
  local pos, depth = 1, 0
  local function fail(msg)
    error({ why = msg .. " at byte " .. pos }, 0)
  end
  local function skip_ws()
    pos = s:find("[^ \t\r\n]", pos) or (#s + 1)
  end
  local ESC = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

  local function parse_string()
    pos = pos + 1 -- the opening quote
    local out = {}
    while true do
      local j = s:find('["\\%c]', pos)
      if not j then fail("unterminated string") end
      out[#out + 1] = s:sub(pos, j - 1)
      pos = j
      local c = s:sub(j, j)
      if c == '"' then
        pos = j + 1
        return table.concat(out)
      elseif c == "\\" then
        local e = s:sub(j + 1, j + 1)
        if e == "u" then
          local hex = s:sub(j + 2, j + 5)
          if not hex:match("^%x%x%x%x$") then fail("bad \\u escape") end
          local cp = tonumber(hex, 16)
          pos = j + 6
          if cp >= 0xD800 and cp <= 0xDBFF and s:sub(pos, pos + 1) == "\\u" then
            local lo = tonumber(s:sub(pos + 2, pos + 5), 16)
            if lo and lo >= 0xDC00 and lo <= 0xDFFF then
              cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
              pos = pos + 6
            end
          end
          if cp >= 0xD800 and cp <= 0xDFFF then cp = 0xFFFD end -- as Go does
          out[#out + 1] = utf8.char(cp)
        elseif ESC[e] then
          out[#out + 1] = ESC[e]
          pos = j + 2
        else
          fail("bad escape")
        end
      elseif c == "\127" then -- DEL is allowed raw in JSON strings (%c matches it)
        out[#out + 1] = c
        pos = j + 1
      else
        fail("control character in a string")
      end
    end
  end

  local parse_value

  local function parse_object()
    depth = depth + 1
    if depth > MAX_DEPTH then fail("nested too deeply") end
    pos = pos + 1
    local map = {}
    skip_ws()
    if s:sub(pos, pos) == "}" then
      pos = pos + 1
      depth = depth - 1
      return { [OBJECT] = true, map = map }
    end
    while true do
      skip_ws()
      if s:sub(pos, pos) ~= '"' then fail("expected a key") end
      local key = parse_string()
      if key:find("[\128-\255]") then fail("non-ASCII key") end
      skip_ws()
      if s:sub(pos, pos) ~= ":" then fail("expected ':'") end
      pos = pos + 1
      map[key:lower()] = parse_value() -- the last duplicate wins, as in Go
      skip_ws()
      local c = s:sub(pos, pos)
      pos = pos + 1
      if c == "}" then break end
      if c ~= "," then fail("expected ',' or '}'") end
    end
    depth = depth - 1
    return { [OBJECT] = true, map = map }
  end

  local function parse_array()
    depth = depth + 1
    if depth > MAX_DEPTH then fail("nested too deeply") end
    pos = pos + 1
    local list = {}
    skip_ws()
    if s:sub(pos, pos) == "]" then
      pos = pos + 1
      depth = depth - 1
      return { [ARRAY] = true, list = list }
    end
    while true do
      list[#list + 1] = parse_value()
      skip_ws()
      local c = s:sub(pos, pos)
      pos = pos + 1
      if c == "]" then break end
      if c ~= "," then fail("expected ',' or ']'") end
    end
    depth = depth - 1
    return { [ARRAY] = true, list = list }
  end

  function parse_value()
    skip_ws()
    local c = s:sub(pos, pos)
    if c == "{" then return parse_object() end
    if c == "[" then return parse_array() end
    if c == '"' then return parse_string() end
    if s:sub(pos, pos + 3) == "null" then pos = pos + 4; return NULL end
    if s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true end
    if s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false end
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if num and num ~= "" and num ~= "-" then
      if not num:match("^-?0%d") and not num:match("%.$") and not num:match("[eE][-+]?$") then
        local n = tonumber(num)
        if n then pos = pos + #num; return n end
      end
    end
    fail("unexpected input")
  end

  local value = parse_value()
  skip_ws()
  if pos <= #s then fail("trailing data") end
  return value
end

-- Validators: return nil when the value is fine, else a reason -----------------------------

local function is_null(v) return v == nil or v == NULL end
local function is_object(v) return type(v) == "table" and v[OBJECT] == true end
local function is_array(v) return type(v) == "table" and v[ARRAY] == true end

local function any() return nil end
local function nullable(check)
  return function(v, at) if is_null(v) then return nil end return check(v, at) end
end
local function str(v, at) if type(v) ~= "string" then return at .. " must be a string" end end
local function num(v, at) if type(v) ~= "number" then return at .. " must be a number" end end
local function bool(v, at) if type(v) ~= "boolean" then return at .. " must be true or false" end end
local function falsy(v, at) if not is_null(v) and v ~= false then return at .. " must be false" end end
local function empty_str(v, at) if not is_null(v) and v ~= "" then return at .. " is not allowed" end end
local function object(v, at) if not is_object(v) then return at .. " must be an object" end end
local function oneof(...)
  local allowed, allow_null = {}, false
  for _, x in ipairs({ ... }) do
    if x == NULL then allow_null = true else allowed[x] = true end
  end
  return function(v, at)
    if is_null(v) then
      if allow_null then return nil end
      return at .. " must be set"
    end
    if not allowed[v] then return at .. " has a value that is not allowed" end
  end
end
local function array_of(check)
  return function(v, at)
    if not is_array(v) then return at .. " must be a list" end
    for i, x in ipairs(v.list) do
      local why = check(x, at .. "[" .. (i - 1) .. "]")
      if why then return why end
    end
  end
end
local function empty_list(v, at)
  if not is_null(v) and not (is_array(v) and #v.list == 0) then return at .. " is not allowed" end
end
local function empty_object(v, at)
  if is_null(v) then return nil end
  if not is_object(v) or next(v.map) ~= nil then return at .. " is not allowed" end
end
local function str_or_list(v, at)
  if type(v) == "string" then return nil end
  return array_of(str)(v, at)
end
local function nonneg(v, at)
  if type(v) ~= "number" or v < 0 then return at .. " must be a number >= 0" end
end

-- Every key of `obj` must be in `spec` and pass its check.
local function fields(spec)
  return function(v, at)
    if not is_object(v) then return at .. " must be an object" end
    for key, value in pairs(v.map) do
      local check = spec[key]
      if not check then return at .. "." .. key .. " is not allowed" end
      local why = check(value, at .. "." .. key)
      if why then return why end
    end
  end
end

local function labels(v, at)
  if not is_object(v) then return at .. " must be an object" end
  for key, value in pairs(v.map) do
    if type(value) ~= "string" then return at .. "." .. key .. " must be a string" end
    -- Compose would count such a container as one of the stack's services.
    if key:find("^com%.docker%.compose%.") then return at .. "." .. key .. " is not allowed" end
  end
end

local function string_map(v, at)
  if not is_object(v) then return at .. " must be an object" end
  for key, value in pairs(v.map) do
    if type(value) ~= "string" then return at .. "." .. key .. " must be a string" end
  end
end

local function security_opt(v, at)
  return array_of(function(x, a)
    if x ~= "no-new-privileges" and x ~= "no-new-privileges:true" and x ~= "no-new-privileges=true" then
      return a .. " must be no-new-privileges"
    end
  end)(v, at)
end

local mount = function(v, at)
  local why = fields({
    type = oneof("bind", "tmpfs"),
    source = nullable(str),
    target = str,
    readonly = nullable(bool),
    consistency = nullable(str),
    bindoptions = nullable(fields({
      propagation = oneof(NULL, "", "private", "rprivate"),
      nonrecursive = nullable(bool),
    })),
    tmpfsoptions = nullable(fields({ sizebytes = nullable(num), mode = nullable(num) })),
  })(v, at)
  if why then return why end
  local m = v.map
  if m.type == "bind" then
    -- The data root itself: a path below it could be a symlink a step container wrote.
    if DATA_ROOT == "" or m.source ~= DATA_ROOT then
      return at .. ".Source must be the data root (AIRFLOW_ML_DATA_ROOT)"
    end
  elseif not is_null(m.source) and m.source ~= "" then
    return at .. ".Source is not allowed for tmpfs"
  end
end

local numbers = nullable(num)

local HOST_CONFIG = fields({
  binds = empty_list,
  containeridfile = nullable(str),
  logconfig = nullable(fields({
    type = oneof(NULL, "", "json-file", "local", "none"),
    config = nullable(string_map),
  })),
  networkmode = oneof(NULL, "", "none", "default", "bridge"),
  portbindings = empty_object,
  restartpolicy = nullable(fields({
    name = oneof(NULL, "", "no"),
    maximumretrycount = oneof(NULL, 0),
  })),
  autoremove = nullable(bool),
  volumedriver = empty_str,
  volumesfrom = empty_list,
  mounts = nullable(array_of(mount)),
  capadd = empty_list,
  capdrop = nullable(array_of(str)),
  cgroupnsmode = oneof(NULL, "", "private"),
  dns = nullable(array_of(str)),
  dnsoptions = nullable(array_of(str)),
  dnssearch = nullable(array_of(str)),
  extrahosts = nullable(array_of(str)),
  groupadd = empty_list,
  ipcmode = oneof(NULL, "", "private", "none", "shareable"),
  cgroup = empty_str,
  links = empty_list,
  oomscoreadj = nullable(nonneg),
  pidmode = empty_str,
  privileged = falsy,
  publishallports = falsy,
  readonlyrootfs = nullable(bool),
  securityopt = nullable(security_opt),
  storageopt = empty_object,
  tmpfs = nullable(string_map),
  utsmode = empty_str,
  usernsmode = empty_str,
  shmsize = numbers,
  sysctls = empty_object,
  runtime = empty_str,
  isolation = empty_str,
  init = nullable(bool),
  consolesize = nullable(array_of(num)),
  annotations = empty_object,
  -- container.Resources (embedded in HostConfig)
  cpushares = numbers,
  memory = numbers,
  nanocpus = numbers,
  cgroupparent = empty_str,
  blkioweight = numbers,
  blkioweightdevice = empty_list,
  blkiodevicereadbps = empty_list,
  blkiodevicewritebps = empty_list,
  blkiodevicereadiops = empty_list,
  blkiodevicewriteiops = empty_list,
  cpuperiod = numbers,
  cpuquota = numbers,
  cpurealtimeperiod = numbers,
  cpurealtimeruntime = numbers,
  cpusetcpus = nullable(str),
  cpusetmems = nullable(str),
  devices = empty_list,
  devicecgrouprules = empty_list,
  devicerequests = empty_list,
  kernelmemory = numbers,
  kernelmemorytcp = numbers,
  memoryreservation = numbers,
  memoryswap = numbers,
  memoryswappiness = numbers,
  oomkilldisable = nullable(bool),
  pidslimit = numbers,
  ulimits = nullable(array_of(fields({ name = str, soft = num, hard = num }))),
  cpucount = numbers,
  cpupercent = numbers,
  iomaximumiops = numbers,
  iomaximumbandwidth = numbers,
})

local function user(v, at)
  if type(v) ~= "string" or v:match("^%s*$") then
    return at .. " must be set (the image's default user may be root)"
  end
  -- The engine reads a numeric user with Go's strconv.Atoi, which also takes "+0" and "00".
  local name = v:match("^%s*([^:]*)")
  if name:match("^[+-]?0+%s*$") or name:match("^root%s*$") then return at .. " must not be root" end
end

local CREATE = fields({
  hostname = nullable(str),
  domainname = nullable(str),
  user = user,
  attachstdin = falsy,
  attachstdout = nullable(bool),
  attachstderr = nullable(bool),
  exposedports = nullable(object),
  tty = nullable(bool),
  openstdin = falsy,
  stdinonce = falsy,
  env = nullable(array_of(str)),
  cmd = nullable(str_or_list),
  healthcheck = nullable(object),
  argsescaped = nullable(bool),
  image = str,
  volumes = nullable(object),
  workingdir = nullable(str),
  entrypoint = nullable(str_or_list),
  networkdisabled = nullable(bool),
  macaddress = nullable(str),
  onbuild = nullable(array_of(str)),
  labels = nullable(labels),
  stopsignal = nullable(str),
  stoptimeout = numbers,
  shell = nullable(array_of(str)),
  runtime = empty_str, -- docker-py sends it here; the engine ignores it at this level
  hostconfig = nullable(HOST_CONFIG),
  networkingconfig = nullable(fields({ endpointsconfig = empty_object })),
})

-- Returns nil when the body may be passed on, else why not.
local function check_create(body)
  local ok, value = pcall(parse_json, body)
  if not ok then
    return "the body is not JSON the proxy accepts (" .. (type(value) == "table" and value.why or "parse error") .. ")"
  end
  if not is_object(value) then return "the body must be a JSON object" end
  -- User is required, so check it even when the key is missing.
  local why = user(value.map.user, "User") or CREATE(value, "")
  if why then return (why:gsub("^%.", "")) end
end

core.register_action("docker_create_check", { "http-req" }, function(txn)
  local ok, why = pcall(check_create, txn.sf:req_body() or "")
  if not ok then why = "internal error in the check" end
  if why then
    why = why:gsub('["\\%c]', "")
    txn:set_var("txn.create_why", why)
    txn:set_var("txn.create_ok", false)
    core.Warning("refused a container create: " .. why)
  else
    txn:set_var("txn.create_ok", true)
  end
end)
